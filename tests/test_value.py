"""The Value object itself: construction, storage, attributes, the data and grad setters, repr."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Value


@pytest.mark.parametrize(
    "given, shape",
    [
        (2, ()),
        (2.5, ()),
        (True, ()),
        (np.float64(1.5), ()),
        (np.int64(3), ()),
        ([1, 2, 3], (3,)),
        ([[1.0, 2.0], [3.0, 4.0]], (2, 2)),
        (np.arange(6).reshape(2, 3), (2, 3)),
        (np.zeros((0, 3)), (0, 3)),
    ],
)
def test_construction_gives_float64(given, shape):
    v = Value(given)
    assert v.shape == shape and v.ndim == len(shape) and v.size == int(np.prod(shape))
    assert v.dtype == np.float64
    np.testing.assert_array_equal(v.data, np.asarray(given, dtype=np.float64))


def test_float64_scalars_are_python_floats_and_the_rest_arrays():
    assert type(Value(2).data) is float and type(Value(np.float64(2.0)).data) is float
    assert type(Value([2.0]).data) is np.ndarray
    assert type((Value(2.0) * 3).data) is float
    element = Value([1.0, 2.0]).sum()
    assert type(element.data) is float


def test_float32_is_kept_and_can_be_asked_for():
    for v in (Value(np.ones((2, 2), dtype=np.float32)), Value([1, 2], dtype=np.float32), Value(1.0, dtype="float32")):
        assert v.dtype == np.float32 and v.data.dtype == np.float32
        assert v.grad.dtype == np.float32
    scalar32 = Value(np.float32(1.5))
    assert scalar32.shape == () and scalar32.dtype == np.float32
    assert Value(np.ones(2, dtype=np.float32), dtype=np.float64).dtype == np.float64


def test_data_is_copied_from_the_callers_array():
    source = np.array([1.0, 2.0])
    v = Value(source)
    source[0] = 9.0
    assert v.data[0] == 1.0
    copy = v.numpy()
    copy[1] = 7.0
    assert v.data[1] == 2.0
    assert Value(v).data[0] == 1.0 and Value(v) is not v


def test_grad_reads_as_zeros_of_datas_shape_until_a_backward():
    v = Value(np.ones((2, 3)))
    assert not v.has_grad
    np.testing.assert_array_equal(v.grad, np.zeros((2, 3)))
    s = Value(4.0)
    assert s.grad == 0.0 and type(s.grad) is float
    (v * 2.0).sum().backward()
    assert v.has_grad and v.grad.shape == (2, 3)


def test_label_requires_grad_and_graph_attributes():
    w = Value(1.0, label="w")
    frozen = Value(1.0, requires_grad=False)
    assert w.label == "w" and Value(1.0).label == ""
    assert w.requires_grad and not frozen.requires_grad
    out = w * 2.0 + frozen
    assert w.is_leaf and w.op is None and w.parents == ()
    assert not out.is_leaf and out.op.name == "+" and out.parents[1] is frozen
    assert out.parents[0].op.name == "*" and out.parents[0].parents == (w, 2.0)
    summed = Value(np.ones((2, 3))).sum(axis=1, keepdims=True)
    assert summed.attrs == {"axis": (1,), "keepdims": True}
    out.label = "out"
    assert out.label == "out"


def test_item_float_len_and_bool():
    assert Value([[3.5]]).item() == 3.5 and type(Value([[3.5]]).item()) is float
    assert Value(2.0).item() == 2.0
    assert float(Value([1.25])) == 1.25
    assert len(Value([1.0, 2.0, 3.0])) == 3
    with pytest.raises(TypeError, match="scalar"):
        len(Value(1.0))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Value([1.0, 2.0]).item()
    assert bool(Value(2.0)) and not bool(Value(0.0))
    with pytest.raises(TypeError, match="ambiguous"):
        bool(Value([1.0, 2.0]))


def test_numpy_returns_an_array_of_the_right_dtype():
    assert Value(2.0).numpy().shape == () and Value(2.0).numpy().dtype == np.float64
    assert Value(np.ones(2, dtype=np.float32)).numpy().dtype == np.float32


def test_data_can_be_set_from_another_value_as_value_takes_one():
    v, source = Value([1.0, 2.0]), Value([3.0, 4.0])
    v.data = source
    np.testing.assert_array_equal(v.data, [3.0, 4.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        v.data = Value([1.0, 2.0, 3.0])
    s = Value(1.0)
    s.data = Value(2.5)
    assert type(s.data) is float and s.data == 2.5


def test_data_setter_converts_and_checks_the_shape():
    v = Value([1.0, 2.0])
    v.data = [3, 4]
    np.testing.assert_array_equal(v.data, [3.0, 4.0])
    assert v.dtype == np.float64
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        v.data = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(v.data, [3.0, 4.0])  # unchanged by the failed assignment
    with pytest.raises(TypeError):
        v.data = "abc"
    s = Value(1.5)
    s.data = 2
    assert type(s.data) is float and s.data == 2.0
    f32 = Value(np.ones(2, dtype=np.float32))
    f32.data = np.array([1.0, 2.0])
    assert f32.data.dtype == np.float32


def test_in_place_updates_through_data():
    v = Value(np.ones(2))
    array = v.data
    v.data -= 0.5  # the optimizer idiom: updates the array in place
    np.testing.assert_array_equal(v.data, [0.5, 0.5])
    assert v.data is array
    s = Value(1.0)
    s.data += 1.0  # micrograd's idiom on a float
    assert s.data == 2.0


def test_grad_setter_resets_or_checks():
    v = Value([1.0, 2.0])
    v.grad = [0.5, 0.25]
    assert v.has_grad and v.grad.dtype == np.float64
    np.testing.assert_array_equal(v.grad, [0.5, 0.25])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        v.grad = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(v.grad, [0.5, 0.25])
    for reset in (0, 0.0, None):
        v.grad = [1.0, 1.0]
        v.grad = reset
        assert not v.has_grad
        np.testing.assert_array_equal(v.grad, [0.0, 0.0])


def test_repr_is_readable():
    w = Value(2.5, label="w1")
    assert repr(w) == "Value(data=2.5, grad=0, label='w1')"
    (w * 2.0).backward()
    assert repr(w) == "Value(data=2.5, grad=2, label='w1')"
    assert repr(Value([1.0, 2.0])) == "Value([1., 2.])"
    assert "dtype=float32" in repr(Value(np.ones(2, dtype=np.float32)))
    big = repr(Value(np.zeros((30, 30))))
    assert "..." in big and len(big) < 400


def test_unary_plus_is_the_value_itself():
    v = Value(1.0)
    assert +v is v


def test_value_refuses_subclasses_with_a_clear_error():
    # backward recognises graph nodes by exact type; a subclass would silently lose its gradients
    with pytest.raises(TypeError, match="cannot be subclassed"):

        class Parameter(Value):  # noqa: F841
            pass
