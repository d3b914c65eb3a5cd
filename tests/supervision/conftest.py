import pytest


@pytest.fixture
def supervisor_client(client, log_in, supervisor):
    log_in(supervisor)
    return client
