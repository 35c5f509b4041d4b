"""A small fake Kubernetes API server (Namespaces and ServiceAccounts) for the tests of what the collection writes
to Kubernetes; ``fixture.fake_kube`` runs one per test."""
