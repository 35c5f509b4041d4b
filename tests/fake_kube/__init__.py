"""A small fake Kubernetes API server (Namespaces and ServiceAccounts) for the tests of what the collection writes
to Kubernetes; ``fixture.running`` runs one for a test."""
