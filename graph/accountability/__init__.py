"""Accountability: serving a list (trial arm, crowding guard, audit record), replay, feedback, fairness, the citizen's view."""
