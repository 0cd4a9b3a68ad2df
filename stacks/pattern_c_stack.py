"""Pattern C — workflow, multi-process: the same fixed steps as an Express state machine.

Each step of `pattern_core.workflow.steps` is its own Lambda; an Express Step Functions state
machine chains them — a Choice skips choosing and booking when nothing is bookable, every task
retries transient Lambda errors with backoff, has a timeout and is caught into the failure
reply. A small API Lambda behind the chat API starts it with `StartSyncExecution` and answers
inside API Gateway's 30 s, so the HTTP contract is pattern B's exactly. (The HTTP API's own
Step Functions integration could start the execution, but it cannot shape the /chat body or
the identity the workflow receives, so the API Lambda stays.)

The workflow (the step functions and the state machine over `stacks/asl/booking_workflow.asl.json`,
the same file the local runtime runs) is `stacks.constructs.booking_workflow`; this stack only
composes it with the table, the secret, the layers and the chat API.

AWS shape: HTTP API → API Lambda → Express state machine → 6 step Lambdas
(+ bookings table, OpenAI key secret, two layers).
"""

from __future__ import annotations

from settings import Settings
from stacks import timeouts
from stacks.constructs.booking_workflow import BookingWorkflow
from stacks.pattern_stack import PatternStack


class PatternCStack(PatternStack):
    """Composes the table, secret, layers, workflow, chat function and chat API."""

    PATTERN_ID = "C"
    DESCRIPTION = "AI orchestration patterns - C: workflow, multi-process"

    def __init__(self, scope, id_: str, **kwargs) -> None:
        super().__init__(scope, id_, **kwargs)
        table = self.bookings_table()
        secret = self.openai_secret()
        self.add_layers()

        # `Default`: CDK leaves it out of logical ids, so the workflow's resources keep the
        # ids they had before it became a construct (no replacement on the next deploy).
        self.workflow = BookingWorkflow(
            self,
            "Default",
            pattern_id=self.PATTERN_ID,
            table=table,
            secret=secret,
            layers=self.layers,
            environment=self.runtime_environment(table, secret),
            retain_data=self.settings.retain_data,
        )

        chat = self.function(
            "Chat",
            package=self.package,
            environment=Settings.environment(
                state_machine_arn=self.workflow.state_machine_arn,
                auth_mode=self.settings.auth_mode,
                # Above the execution's TimeoutSeconds, below this function's own timeout.
                sfn_read_timeout_seconds=timeouts.C_EXECUTION_READ_SECONDS,
            ),
        )
        self.keep_answers(chat.function)
        self.workflow.grant_start_sync_execution(chat.function)
        self.chat_api(chat.invocable)
