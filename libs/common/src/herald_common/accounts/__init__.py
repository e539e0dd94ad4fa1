"""Connected social accounts: OAuth flows, encrypted token storage, and the resolver the publishers use."""
