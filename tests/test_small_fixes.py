"""Small things that lost a learner's place: each test would have caught one."""

from __future__ import annotations

from conftest import make_app

from cnntui.ui.conv.kernel import ConvKernelScreen
from cnntui.ui.conv.screen import ConvScreen


async def test_applying_an_edited_kernel_keeps_the_step_position() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        assert isinstance(lab, ConvScreen)
        await pilot.press("down", "down", "right", "right", "right")
        before = lab.stepper.state(lab.index)
        assert (before.out_row, before.out_col) == (2, 3)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConvKernelScreen)
        await pilot.press("plus", "ctrl+s")  # same size, one weight changed
        await pilot.pause()
        assert app.screen is lab
        after = lab.stepper.state(lab.index)
        assert (after.out_row, after.out_col) == (2, 3)
        lab.action_jump(-1)  # the last position, (13, 13)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("right_square_bracket", "ctrl+s")  # 4×4: the output shrinks to 13×13
        await pilot.pause()
        last = lab.stepper.state(lab.index)
        assert lab.stepper.output_shape == (13, 13) and (last.out_row, last.out_col) == (12, 12)


class _EndedRun:
    """A DCGAN process that has already sent its last events."""

    def __init__(self, events: list[object]) -> None:
        self.events = events
        self.finished = True

    def poll(self) -> list[object]:
        events, self.events = self.events, []
        return events

    def shutdown(self) -> None:
        pass


async def test_a_finished_dcgan_run_says_finished_and_a_stopped_one_stopped() -> None:
    from cnntui.gan.process import Finished, Started, State
    from cnntui.ui.gan.dcgan import DcganView

    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v", "v")
        await pilot.pause()
        view = app.screen.query_one(DcganView)
        for last_epoch, expected in ((3, "finished"), (1, "stopped")):
            view.runner = _EndedRun(  # type: ignore[assignment]
                [Started(0, 3, 10, "cpu", []), State("stopped"), Finished(last_epoch, "x.npz")]
            )
            view._poll()
            await pilot.pause()
            assert view.state == expected and view.runner is None
            status = app.screen.query_one("#dcgan-status").render()
            assert f"DCGAN on digits  {expected}" in str(status)
