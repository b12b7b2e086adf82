"""What several modes share."""
