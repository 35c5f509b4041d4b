"""The local AWS endpoint: moto server, the EKS implementation and the test controls."""
