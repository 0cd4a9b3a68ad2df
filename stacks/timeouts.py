"""Every timeout of every stack, in seconds, in one place: the chain they form nests strictly.

    HTTP API integration  >  API function  >  what it waits for  >  what that waits for

* **A, B, D, E, F**: integration > the chat function (one deadline per request inside it, see
  `pattern_core.deadline`) > one model call.
* **C**: integration > API function > its Step Functions client's read timeout > the Express
  execution (`TimeoutSeconds` in the definition) > each task's `TimeoutSeconds` > that step's
  Lambda timeout > one model call inside a model step.
* **G**: integration > manager function > its Lambda client's read timeout > a specialist's
  function timeout > one model call.
* **H**: integration > invoker function > its Bedrock client's read timeout > the AgentCore
  harness's own timeout; the action Lambda well inside it.

Plain numbers and no imports, so the local runtime and the tests read them without loading the
CDK. The stacks turn them into `Duration`s, the definition file repeats C's (a test checks that
they agree), and client timeouts reach the functions as settings (`settings.Settings`).
Inside each function the request's deadline caps every downstream call at the time left, so a
call never outlives the function that waits for it.
"""

from __future__ import annotations

# API Gateway HTTP APIs allow 30 s; the CDK validates integration timeouts up to 29 s.
INTEGRATION_SECONDS = 29
# Every function behind /chat. Lambda's timeout excludes a cold start's init phase, which
# API Gateway's clock includes: the gap below the integration leaves room for it.
API_FUNCTION_SECONDS = 26
# One model call's own cap (`OPENAI_TIMEOUT_SECONDS`): within the request's deadline, so a
# retry is attempted only when a second call of this length still fits (`llm.call_options`).
MODEL_CALL_SECONDS = 20

# -- Pattern C: API function > client read > execution > task > step function > model call --
C_EXECUTION_READ_SECONDS = 24  # StartSyncExecution's read timeout (`SFN_READ_TIMEOUT_SECONDS`)
C_STATE_MACHINE_SECONDS = 22  # the execution's TimeoutSeconds
C_MODEL_TASK_SECONDS = 10  # TimeoutSeconds of Understand and WriteReply
C_MODEL_STEP_FUNCTION_SECONDS = 9
C_MODEL_CALL_SECONDS = 7  # inside the step function's own deadline (9 s minus the margin)
C_CODE_TASK_SECONDS = 5  # TimeoutSeconds of FindSlots, ChooseSlot, Book, FailureReply
C_CODE_STEP_FUNCTION_SECONDS = 4

# -- Pattern G: manager > Lambda client read > specialist function > model call -------------
G_SPECIALIST_READ_SECONDS = 20  # the manager's invoke (`SPECIALIST_READ_TIMEOUT_SECONDS`)
G_SPECIALIST_FUNCTION_SECONDS = 18
G_SPECIALIST_MODEL_CALL_SECONDS = 12  # inside the specialist's deadline (18 s minus the margin)

# -- Pattern H: invoker > Bedrock client read > harness; action Lambda well inside ---------
H_AGENT_READ_SECONDS = 22  # InvokeAgent / InvokeHarness (`AGENT_READ_TIMEOUT_SECONDS`)
H_HARNESS_SECONDS = 21  # the AgentCore harness's own limit on one invocation
H_ACTION_FUNCTION_SECONDS = 10  # one booking tool: a DynamoDB call or two

CONNECT_SECONDS = 3  # every AWS client's connect timeout
