"""Artefact loaders and archive extractors that run code or write where they should not: the
API knowledge of AIP502 (its newer families) and AIP505. Plain tables; the rules read them.

Qualified names are as ``RuleBase.qualified_name`` resolves them through imports
(``import torch.distributed as dist; dist.gather_object`` -> ``torch.distributed.gather_object``).
"""

from __future__ import annotations

# --- AIP502: object collectives ------------------------------------------------------------
# Each unpickles what the other ranks send (torch.distributed's *_object functions pickle the
# object on the sender and call pickle.loads on the receiver; accelerate's helpers wrap them).
OBJECT_COLLECTIVES = frozenset({
    *(f"torch.distributed.{f}" for f in (
        "broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
        "recv_object_list")),
    *(f"torch.distributed.distributed_c10d.{f}" for f in (
        "broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
        "recv_object_list")),
})
# imports that say the ranks may belong to different parties (federated learning, multi-party
# computation, a remote procedure call server): then a collective unpickles a stranger's bytes
MULTI_PARTY_IMPORTS = ("flwr", "syft", "nvflare", "fedml", "openfl", "substra", "fate",
                       "torch.distributed.rpc", "crypten")

# --- AIP502: other code-running loaders -----------------------------------------------------
PACKAGE_IMPORTERS = frozenset({"torch.package.PackageImporter",
                               "torch.package.package_importer.PackageImporter"})
MARSHAL_LOADS = frozenset({"marshal.load", "marshal.loads"})
MSGPACK_NUMPY_LOADS = frozenset({"msgpack_numpy.unpackb", "msgpack_numpy.loads",
                                 "msgpack_numpy.load", "msgpack_numpy.unpack", "msgpack_numpy.patch"})
SAVED_MODEL_LOADS = frozenset({"tensorflow.saved_model.load", "tensorflow.compat.v2.saved_model.load",
                               "tensorflow.compat.v1.saved_model.load",
                               "tensorflow.compat.v1.saved_model.loader.load"})
# calls (by attribute name) that write a SavedModel: the module's loads are its own artefacts
SAVED_MODEL_WRITERS = frozenset({"export_saved_model", "simple_save"})
SAVED_MODEL_SAVES = frozenset({"tensorflow.saved_model.save", "tensorflow.compat.v2.saved_model.save"})
# Keras loaders that read the legacy HDF5 format when the file ends in .h5/.hdf5/.keras-less
KERAS_LOADERS = frozenset({"keras.models.load_model", "tensorflow.keras.models.load_model",
                           "keras.saving.load_model", "tf_keras.models.load_model"})
LEGACY_KERAS_SUFFIXES = (".h5", ".hdf5")
# native libraries: loading one runs its initialisers with the process's rights
NATIVE_LIBRARY_LOADS = frozenset({"numpy.ctypeslib.load_library", "torch.ops.load_library",
                                  "tensorflow.load_op_library", "tensorflow.load_library"})
# a method of onnxruntime.SessionOptions (an object: matched by name in a file importing it)
ONNX_CUSTOM_OPS = "register_custom_ops_library"

# --- AIP505: archive extraction -----------------------------------------------------------
# tarfile's extraction filters that refuse paths outside the target and special files
SAFE_TAR_FILTERS = frozenset({"data", "tar"})
TAR_OPEN = frozenset({"tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open"})
ZIP_OPEN = frozenset({"zipfile.ZipFile"})
UNPACK_ARCHIVE = frozenset({"shutil.unpack_archive"})
