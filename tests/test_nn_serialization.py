"""nn.save / nn.load: bit-exact round trips, atomic writes, and clear errors for damaged files."""

import io
import os
import stat
import zipfile

import numpy as np
import pytest

from tinygrad_edu import nn


def model():
    """float64 matrices, a float32 layer and float64 scalars (kept as Python floats by the engine)."""
    net = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1, dtype=np.float32))
    net.append(nn.Neuron(2, seed=2))
    return net


def test_round_trip_is_bit_exact_and_keeps_dtypes(tmp_path):
    source = model()
    path = tmp_path / "model.npz"
    nn.save(source, path)
    loaded = nn.load(path)
    original = source.state_dict()
    assert list(loaded) == list(original)
    for name, array in original.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        assert loaded[name].tobytes() == array.tobytes(), name
    target = model()
    for p in target.parameters():
        p.data = p.data * 0.0
    target.load_state_dict(loaded)
    x = np.random.default_rng(0).normal(size=(5, 3))
    assert target[:3](x).data.tobytes() == source[:3](x).data.tobytes()
    assert type(target[3].b.data) is float


def test_a_state_dict_can_be_saved_and_the_path_is_used_as_given(tmp_path):
    path = tmp_path / "weights.checkpoint"
    nn.save({"w": np.arange(3.0), "b": np.float32(2.5), "file": np.ones(1), "allow_pickle": np.ones(2)}, str(path))
    assert os.listdir(tmp_path) == ["weights.checkpoint"]  # no suffix added, no temporary file left
    loaded = nn.load(path)
    assert loaded["w"].tolist() == [0.0, 1.0, 2.0] and loaded["b"].dtype == np.float32
    assert list(loaded) == ["w", "b", "file", "allow_pickle"]  # any name, in order


def test_the_file_is_a_plain_npz_of_numbers(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(model(), path)
    with zipfile.ZipFile(path) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(path, allow_pickle=False) as archive:
        assert "0.weight" in archive.files


def test_save_replaces_an_existing_file_atomically(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.save({"w": np.ones(2)}, path)
    before = path.read_bytes()

    def crash_midway(member, array, **options):
        member.write(b"\x93NUMPY half an array")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(np.lib.format, "write_array", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": np.zeros(2)}, path)
    assert path.read_bytes() == before  # the old checkpoint is intact
    assert os.listdir(tmp_path) == ["model.npz"]  # and the temporary file is gone


def test_a_new_checkpoint_gets_the_permissions_open_would_give_it(tmp_path, umask_022):
    """0o666 less the umask, as np.savez or torch.save would give, not a temporary file's owner-only 0o600."""
    path = tmp_path / "model.npz"
    nn.save({"w": np.ones(2)}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_checkpoint_written_over_keeps_its_permissions(tmp_path, umask_022):
    path = tmp_path / "model.npz"
    nn.save({"w": np.ones(2)}, path)
    path.chmod(0o640)
    nn.save({"w": np.zeros(2)}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    np.testing.assert_array_equal(nn.load(path)["w"], np.zeros(2))


def test_save_refuses_what_it_cannot_store(tmp_path):
    path = tmp_path / "unused.npz"
    with pytest.raises(TypeError, match="only float64 and float32"):
        nn.save({"labels": np.array([1, 2, 3])}, path)
    with pytest.raises(TypeError, match="non-empty strings"):
        nn.save({3: np.zeros(2)}, path)
    with pytest.raises(TypeError, match="expected a Module or a state dict"):
        nn.save([np.zeros(2)], path)
    assert not os.path.exists(path)


# ---------------------------------------------------------------------------------------- damaged files
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(model(), path)
    return path


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_a_truncated_file_gives_a_clear_error(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(nn.CheckpointError, match="not a readable checkpoint"):
        nn.load(saved)


def test_a_tampered_number_fails_the_checksum(saved):
    weight = model().state_dict()["0.weight"].tobytes()
    data = bytearray(saved.read_bytes())
    at = data.find(weight)
    assert at > 0
    data[at + 5] ^= 0xFF  # one byte of one weight changed inside the archive
    saved.write_bytes(bytes(data))
    with pytest.raises(nn.CheckpointError, match="CRC"):
        nn.load(saved)


def test_a_file_holding_pickled_objects_is_refused_without_running_them(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, payload=np.array([{"run": "code"}], dtype=object))
    with pytest.raises(nn.CheckpointError, match="pickled"):
        nn.load(path)


def test_files_that_are_not_float_state_dicts_are_refused(tmp_path):
    ints = tmp_path / "ints.npz"
    np.savez(ints, counts=np.arange(3))
    with pytest.raises(nn.CheckpointError, match="'counts' holds dtype int64"):
        nn.load(ints)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="single .npy array"):
        nn.load(single)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(nn.CheckpointError):
        nn.load(text)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_a_zip_of_something_else_is_refused_clearly(tmp_path):
    """numpy hands a member that is not an .npy array over as raw bytes."""
    path = tmp_path / "zipped.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(nn.CheckpointError, match="'readme.txt' is not a numpy array"):
        nn.load(path)


def test_a_header_that_claims_an_enormous_array_is_refused_clearly(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", header.getvalue() + bytes(64))
    with pytest.raises(nn.CheckpointError, match="not a readable checkpoint"):
        nn.load(path)
