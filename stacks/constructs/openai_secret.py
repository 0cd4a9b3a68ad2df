"""A reference to the OpenAI API key in Secrets Manager — never the key itself.

The stack does not create the secret: a secret created by CloudFormation would need its value
in the template (or a second manual step anyway), and the template is not a place for keys.
Create it once per account and region, before the first deploy:

    aws secretsmanager create-secret --name patterns/openai-api-key \\
        --secret-string "$OPENAI_API_KEY"

(rotate with `aws secretsmanager put-secret-value --secret-id patterns/openai-api-key
--secret-string "$OPENAI_API_KEY"`). Use another name with `-c openai_secret_name=…`.
The value may be the bare key or JSON `{"OPENAI_API_KEY": "sk-…"}`.

Functions get the secret's ARN in `OPENAI_API_KEY_SECRET_ARN` and read the value at run time
(once per container); `grant_read` is scoped to this one secret.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct


class OpenAiSecret(Construct):
    """Looks up an existing secret by name; grants read access to it alone."""

    def __init__(self, scope: Construct, id_: str, *, secret_name: str) -> None:
        super().__init__(scope, id_)
        self.secret_name = secret_name
        # `from_secret_name_v2` yields a partial ARN (no random 6-character suffix);
        # GetSecretValue accepts it, and IAM grants are written as `<name>-??????`.
        self.secret = secretsmanager.Secret.from_secret_name_v2(self, "Secret", secret_name)

    @property
    def secret_arn(self) -> str:
        return self.secret.secret_arn

    def grant_read(self, grantee: iam.IGrantable) -> None:
        self.secret.grant_read(grantee)
