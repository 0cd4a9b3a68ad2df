"""How pattern G's three functions find each other: names shared by the manager's code, the
CDK stack and the local runtime (no SDK imports here, so reading them is free)."""

# The manager reads each specialist's function name (an ARN when deployed) from these settings.
FUNCTION_SETTING = {
    "availability": "availability_specialist_function",
    "booking": "booking_specialist_function",
}
# The specialist handlers, "module.function" as Lambda names them (the role is fixed in code:
# one function cannot be talked into playing the other).
SPECIALIST_HANDLERS = {
    "availability": "specialist_handler.availability_handler",
    "booking": "specialist_handler.booking_handler",
}
# Locally the runtime dispatches `lambda:Invoke` of these names to the handlers in-process.
LOCAL_FUNCTION_NAMES = {
    "availability": "pattern-g-availability-specialist",
    "booking": "pattern-g-booking-specialist",
}
