"""The embedded server's shared buffers: an eighth of the memory the program may use."""

import pytest

from epic_events.embedded import MIB, buffers_for, physical_memory

GIB = 1024 * MIB


@pytest.mark.parametrize(
    ("memory", "buffers"),
    [
        (None, 128 * MIB),  # unknown: PostgreSQL's default
        (512 * MIB, 128 * MIB),  # never below the default
        (4 * GIB, 512 * MIB),
        (6 * GIB + 12345, 768 * MIB),  # whole megabytes
        (24 * GIB, 1 * GIB),  # at most 1 GB: a workstation's server
    ],
)
def test_buffers_are_an_eighth_of_the_memory_within_bounds(memory, buffers):
    assert buffers_for(memory) == buffers


def test_a_container_s_memory_limit_counts_when_lower(tmp_path):
    machine = physical_memory(tmp_path / "absent")
    assert machine is not None
    assert machine > 0
    limit = tmp_path / "memory.max"
    limit.write_text("2147483648\n")
    assert physical_memory(limit) == min(machine, 2 * GIB)
    limit.write_text("max\n")
    assert physical_memory(limit) == machine
