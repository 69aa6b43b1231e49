"""Models of the water_fund domain."""
