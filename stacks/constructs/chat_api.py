"""The HTTP contract every pattern serves: `GET /health` and `POST /chat` on an HTTP API.

Authorization is AWS IAM (SigV4) on both routes by default: the caller's verified IAM
identity is the booking `user_id`. `public=True` (context `-c public=true`) is an explicit
opt-in that removes authorization from both routes — the handlers then issue a guest id per
session — and adds a stack output that says so.

The `$default` stage is throttled (a demo must not become an open-ended model bill) and writes
one JSON access-log line per request to its own log group.
"""

from __future__ import annotations

import json

import jsii
from aws_cdk import Acknowledgment, CfnOutput, Duration, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks import timeouts
from stacks.constants import (
    DEFAULT_THROTTLE_BURST_LIMIT,
    DEFAULT_THROTTLE_RATE_LIMIT,
)
from stacks.constructs.log_groups import log_group

# Stable output keys: `patterns smoke --stack PatternX` reads them from the deployed stack.
API_URL_OUTPUT = "ApiUrl"
AUTH_MODE_OUTPUT = "AuthMode"
PUBLIC_WARNING_OUTPUT = "PublicApiWarning"

ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userArn": "$context.identity.userArn",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        self._format = apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


class ChatApi(Construct):
    """HTTP API → one Lambda integration (payload format 2.0) for `/health` and `/chat`."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        handler: lambda_.IFunction,
        public: bool = False,
        throttle_rate_limit: int = DEFAULT_THROTTLE_RATE_LIMIT,
        throttle_burst_limit: int = DEFAULT_THROTTLE_BURST_LIMIT,
        retain_logs: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        self.public = public
        self.access_logs = log_group(self, "AccessLogs", retain=retain_logs)
        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            description="Tennis-court booking chat: GET /health, POST /chat",
            create_default_stage=False,  # the stage below adds throttling and access logs
        )
        self.stage = self.http_api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=throttle_rate_limit, burst_limit=throttle_burst_limit
            ),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )

        authorizer = apigwv2.HttpNoneAuthorizer() if public else authorizers.HttpIamAuthorizer()
        integration = integrations.HttpLambdaIntegration(
            "Handler",
            handler,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            timeout=Duration.seconds(timeouts.INTEGRATION_SECONDS),
        )
        routes = [
            *self.http_api.add_routes(
                path="/health",
                methods=[apigwv2.HttpMethod.GET],
                integration=integration,
                authorizer=authorizer,
            ),
            *self.http_api.add_routes(
                path="/chat",
                methods=[apigwv2.HttpMethod.POST],
                integration=integration,
                authorizer=authorizer,
            ),
        ]

        self.url = self.stage.url
        api_url = CfnOutput(self, API_URL_OUTPUT, value=self.url, description="Chat API endpoint")
        api_url.override_logical_id(API_URL_OUTPUT)
        auth_mode = CfnOutput(
            self,
            AUTH_MODE_OUTPUT,
            value="public" if public else "iam",
            description="How callers authenticate: iam (SigV4) or public (no authorization)",
        )
        auth_mode.override_logical_id(AUTH_MODE_OUTPUT)

        if public:
            warning = CfnOutput(
                self,
                PUBLIC_WARNING_OUTPUT,
                value=(
                    "WARNING: deployed with -c public=true. /chat has no authorization: anyone "
                    "with the URL can book courts and spend your OpenAI quota (throttled to "
                    f"{throttle_rate_limit} req/s). Redeploy without it to require IAM."
                ),
            )
            warning.override_logical_id(PUBLIC_WARNING_OUTPUT)
            for route in routes:
                Validations.of(route).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions-APIG4",
                        reason=(
                            "Public mode is an explicit opt-in (-c public=true) for demos: "
                            "callers get a server-issued guest id, the stage is throttled, "
                            "and the stack outputs a warning."
                        ),
                    )
                )
