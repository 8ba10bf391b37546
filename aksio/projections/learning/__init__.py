"""Read model of the learning context: plans, goals, sessions and the reports drawn from them."""
