"""The embedded default: every pattern on this machine, with no AWS account and no OpenAI key.

It replaces only AWS itself (API Gateway events, Lambda invokes, Step Functions, Bedrock's
agent loop) and the model endpoint; the handlers that run are the ones that deploy.
"""
