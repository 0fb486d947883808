"""Recording outcomes and the statistics over replications."""
