#!/bin/sh
# The namespace the service uses (TEMPORAL_NAMESPACE), run by the one-shot `temporal-namespace`
# service once the server is healthy. Idempotent. (temporalio/server does not create one itself.)
set -eu
NAMESPACE="${NAMESPACE:-default}"
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
if temporal operator namespace describe -n "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create -n "$NAMESPACE" --retention "${RETENTION:-30d}" --address "$ADDRESS"
  echo "namespace $NAMESPACE created"
fi
