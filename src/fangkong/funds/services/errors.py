class FundsInvalid(ValueError):
    """A change to funds or allowances that cannot be made; the message says why."""
