"""Accounts without SQL: who may do what (``policy``) and how passwords are kept
(``passwords``). The store (``data.store.users``) keeps the accounts; every write of the store
asks ``policy.require`` first."""
