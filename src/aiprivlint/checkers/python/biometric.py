"""AIP504 biometric-identification. Docs live in rules/AIP504.toml.

How the check works: every call is resolved through the file's imports (``from deepface import
DeepFace as DF`` makes ``DF.verify`` -> ``deepface.DeepFace.verify``) and looked up in a table of
*identifying* entry points of face and voice biometrics libraries: the calls that compute a
biometric template (face encoding, speaker embedding), compare templates, or build the model that
does so. Same-named calls on unrelated objects never match, because a bare ``find`` or
``verify`` only counts when its head is an import of the library.

Detection-only calls stay quiet on purpose: OpenCV Haar cascades and ``FaceDetectorYN``,
``dlib.get_frontal_face_detector``, ``face_recognition.face_locations``, ``facenet_pytorch.MTCNN``,
``DeepFace.extract_faces``, InsightFace ``FaceAnalysis(allowed_modules=["detection"])`` and
pyannote speaker *diarization* pipelines. They locate a face or a speaker turn but do not produce
a template that singles a person out across images or recordings (GDPR Art. 4(14)); a detector
that feeds a recogniser is caught at the recogniser.

Model-name arguments refine the generic loaders: SpeechBrain ``EncoderClassifier`` counts only
with a speaker-recognition checkpoint (``spkrec``, ``voxceleb`` ...), pyannote ``Model`` /
``Inference`` only with an embedding checkpoint, InsightFace ``model_zoo.get_model`` unless the
checkpoint is a detector or landmark model. ``DeepFace.analyze`` (age, gender, emotion, race) is
reported as biometric *categorisation*, which is special-category processing too (race) and
prohibited in some settings by the EU AI Act.

One finding per file and library, at the first identifying call; ``details.calls`` lists every
identifying call of that library in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._lazy import cst

from . import CodeRule, literal_value

# qualified name -> (library, modality, purpose, short description)
_FACE, _VOICE = "face", "voice"
_ID, _CAT = "identification", "categorisation"

EXACT: dict[str, tuple[str, str, str]] = {}


def _add(lib: str, modality: str, purpose: str, *names: str) -> None:
    for n in names:
        EXACT[n] = (lib, modality, purpose)


_add("face_recognition", _FACE, _ID,
     "face_recognition.face_encodings", "face_recognition.compare_faces",
     "face_recognition.face_distance", "face_recognition.api.face_encodings",
     "face_recognition.api.compare_faces", "face_recognition.api.face_distance")
for _mod in ("deepface.DeepFace", "deepface.deepface.DeepFace"):
    _add("deepface", _FACE, _ID, *(f"{_mod}.{f}" for f in (
        "verify", "find", "represent", "stream", "register", "search", "build_index")))
    _add("deepface", _FACE, _CAT, f"{_mod}.analyze")
_add("deepface", _FACE, _ID, "deepface.modules.verification.verify",
     "deepface.modules.recognition.find", "deepface.modules.representation.represent",
     "deepface.modules.streaming.analysis")
_add("deepface", _FACE, _CAT, "deepface.modules.demography.analyze")
_add("insightface", _FACE, _ID, "insightface.model_zoo.ArcFaceONNX",
     "insightface.model_zoo.arcface_onnx.ArcFaceONNX")
_add("facenet_pytorch", _FACE, _ID, "facenet_pytorch.InceptionResnetV1",
     "facenet_pytorch.models.inception_resnet_v1.InceptionResnetV1")
_add("keras_facenet", _FACE, _ID, "keras_facenet.FaceNet")
_add("dlib", _FACE, _ID, "dlib.face_recognition_model_v1")
_add("opencv-face", _FACE, _ID,
     "cv2.face.LBPHFaceRecognizer_create", "cv2.face.EigenFaceRecognizer_create",
     "cv2.face.FisherFaceRecognizer_create", "cv2.face.LBPHFaceRecognizer.create",
     "cv2.face.EigenFaceRecognizer.create", "cv2.face.FisherFaceRecognizer.create",
     "cv2.face_LBPHFaceRecognizer.create", "cv2.FaceRecognizerSF.create",
     "cv2.FaceRecognizerSF_create")
_add("resemblyzer", _VOICE, _ID, "resemblyzer.VoiceEncoder",
     "resemblyzer.voice_encoder.VoiceEncoder")
_add("wespeaker", _VOICE, _ID, "wespeaker.load_model", "wespeaker.load_model_local")
_add("pyannote", _VOICE, _ID,
     "pyannote.audio.pipelines.speaker_verification.PretrainedSpeakerEmbedding",
     "pyannote.audio.pipelines.PretrainedSpeakerEmbedding")

# prefixes: any call below these (constructor, .from_hparams, .from_pretrained, methods)
PREFIX: dict[str, tuple[str, str, str]] = {
    "speechbrain.pretrained.SpeakerRecognition": ("speechbrain", _VOICE, _ID),
    "speechbrain.inference.SpeakerRecognition": ("speechbrain", _VOICE, _ID),
    "speechbrain.inference.speaker.SpeakerRecognition": ("speechbrain", _VOICE, _ID),
    "speechbrain.pretrained.interfaces.SpeakerRecognition": ("speechbrain", _VOICE, _ID),
    "nemo.collections.asr.models.EncDecSpeakerLabelModel": ("nemo", _VOICE, _ID),
    "nemo.collections.asr.models.label_models.EncDecSpeakerLabelModel": ("nemo", _VOICE, _ID),
}

# generic loaders that identify only with the right checkpoint
SPEECHBRAIN_ENCODER = ("speechbrain.pretrained.EncoderClassifier",
                       "speechbrain.inference.EncoderClassifier",
                       "speechbrain.inference.classifiers.EncoderClassifier",
                       "speechbrain.pretrained.interfaces.EncoderClassifier")
SPEAKER_CHECKPOINT = re.compile(r"spkrec|voxceleb|speaker|xvect|wespeaker|ecapa-tdnn-sv|titanet",
                                re.I)
PYANNOTE_LOADERS = ("pyannote.audio.Model", "pyannote.audio.Inference",
                    "pyannote.audio.core.model.Model", "pyannote.audio.core.inference.Inference")
PYANNOTE_EMBEDDING = re.compile(r"pyannote/embedding|wespeaker|speechbrain/spkrec|"
                                r"nvidia/speakerverification|voxceleb", re.I)
INSIGHTFACE_NON_ID = re.compile(r"scrfd|retinaface|det_|_det|yolo|2d106|1k3d68|landmark|"
                                r"genderage", re.I)
INSIGHTFACE_APP = ("insightface.app.FaceAnalysis", "insightface.app.face_analysis.FaceAnalysis")
REKOGNITION_ID = {"compare_faces", "search_faces", "search_faces_by_image", "index_faces",
                  "search_users", "search_users_by_image", "associate_faces", "create_user"}
DEEPFACE_BUILD_MODEL = ("deepface.DeepFace.build_model", "deepface.modules.modeling.build_model")
DEEPFACE_ATTRIBUTE_MODELS = {"Age", "Gender", "Emotion", "Race"}
AZURE_FACE_MODULES = ("azure.cognitiveservices.vision.face", "azure.ai.vision.face")
AZURE_FACE_ID = re.compile(r"^(identify\w*|verify_face_to_\w+|verify_from_\w+|find_similar\w*)$")

PURPOSE_TEXT = {
    _ID: "computes or compares biometric templates (identification / verification)",
    _CAT: "infers age, gender, emotion or race from faces (biometric categorisation)",
}


@dataclass
class _Use:
    node: cst.Call
    modality: str
    purposes: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)


def _short(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else name


# For the gate: every dotted name _classify resolves a call to. A call resolves to one only if
# each part of the name is an identifier of the file (import names, attributes), so a file whose
# identifiers hold none of them in full has no finding.
_QUALIFIED_PARTS = tuple(sorted({tuple(q.split(".")) for q in (
    *EXACT, *PREFIX, *SPEECHBRAIN_ENCODER, *PYANNOTE_LOADERS, *INSIGHTFACE_APP,
    *DEEPFACE_BUILD_MODEL, "insightface.model_zoo.get_model",
    "insightface.model_zoo.model_zoo.get_model")}))


class BiometricIdentification(CodeRule):
    rule_id = "AIP504"
    needs = ("face_recognition", "deepface", "DeepFace", "insightface", "facenet", "dlib",
             "speechbrain", "pyannote", "FaceRecognizer", "cv2.face", "resemblyzer", "wespeaker",
             "EncDecSpeakerLabelModel", "rekognition", "vision.face")

    VALID = [
        # detection only: bounding boxes, no template
        "import cv2\nfaces = cv2.CascadeClassifier('haarcascade_frontalface_default.xml')"
        ".detectMultiScale(gray)",
        "import face_recognition\nboxes = face_recognition.face_locations(img)",
        "from facenet_pytorch import MTCNN\nmtcnn = MTCNN(keep_all=True)\nboxes, _ = mtcnn.detect(img)",
        "import dlib\ndetector = dlib.get_frontal_face_detector()\nrects = detector(gray, 1)",
        "from insightface.app import FaceAnalysis\napp = FaceAnalysis(allowed_modules=['detection'])",
        # diarization labels anonymous turns within one recording
        "from pyannote.audio import Pipeline\np = Pipeline.from_pretrained("
        "'pyannote/speaker-diarization-3.1')\nturns = p('meeting.wav')",
        # language identification, not speaker identification
        "from speechbrain.inference.classifiers import EncoderClassifier\n"
        "lid = EncoderClassifier.from_hparams(source='speechbrain/lang-id-voxlingua107-ecapa')",
        # same-named methods of unrelated objects
        "import re\nm = re.compile('x')\nhit = m.search(text)\nclient.verify(token)",
        "def represent(x):\n    return x\nrepresent(1)",
    ]
    INVALID = [
        "import face_recognition\nenc = face_recognition.face_encodings(img)[0]",
        "from deepface import DeepFace\nres = DeepFace.verify(img1_path='a.jpg', img2_path='b.jpg')",
        "from deepface import DeepFace as DF\ndfs = DF.find(img_path='q.jpg', db_path='people/')",
        "from deepface import DeepFace\nobjs = DeepFace.analyze('a.jpg', actions=['age', 'race'])",
        "from insightface.app import FaceAnalysis\napp = FaceAnalysis(name='buffalo_l')",
        "from facenet_pytorch import MTCNN, InceptionResnetV1\n"
        "resnet = InceptionResnetV1(pretrained='vggface2').eval()",
        "import dlib\nfacerec = dlib.face_recognition_model_v1('dlib_face_recognition_resnet_model_v1.dat')",
        "from speechbrain.inference.speaker import SpeakerRecognition\n"
        "v = SpeakerRecognition.from_hparams(source='speechbrain/spkrec-ecapa-voxceleb')",
        "from speechbrain.pretrained import EncoderClassifier\n"
        "c = EncoderClassifier.from_hparams(source='speechbrain/spkrec-xvect-voxceleb')",
        "from pyannote.audio import Model, Inference\n"
        "inference = Inference(Model.from_pretrained('pyannote/embedding'), window='whole')",
        "import cv2\nrec = cv2.face.LBPHFaceRecognizer_create()",
        "import boto3\nrek = boto3.client('rekognition')\nr = rek.search_faces_by_image("
        "CollectionId='staff', Image={'Bytes': b})",
    ]

    @classmethod
    def gate(cls, summary) -> bool:
        """A call resolved to a name of the tables (all of its parts among the file's names),
        or one of the methods _classify_method knows on a client of its library."""
        names = summary.names
        if any(all(part in names for part in parts) for parts in _QUALIFIED_PARTS):
            return True
        calls = summary.calls
        if "boto3" in names and not calls.isdisjoint(REKOGNITION_ID):
            return True
        if "azure" in names and any(AZURE_FACE_ID.match(c) for c in calls):
            return True
        return "dlib" in names and not calls.isdisjoint(
            {"compute_face_descriptor", "compute_face_descriptors"})

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._uses: dict[str, _Use] = {}
        self._rekognition: set[str] = set()  # names bound to boto3.client("rekognition")
        self._pyannote_embedding: set[str] = set()  # names bound to a pyannote embedding model

    # --- traversal -----------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if not isinstance(value, cst.Call):
            return
        targets = [self.dotted_name(t.target) for t in node.targets]
        if self._is_rekognition_client(value):
            self._rekognition.update(t for t in targets if t)
        if self._is_pyannote_embedding(value):
            self._pyannote_embedding.update(t for t in targets if t)

    def visit_Call(self, node: cst.Call) -> None:
        hit = self._classify(node)
        if hit is None:
            return
        lib, modality, purpose, call = hit
        use = self._uses.setdefault(lib, _Use(node, modality))
        use.purposes.add(purpose)
        if call not in use.calls:
            use.calls.append(call)

    def leave_Module(self, node: cst.Module) -> None:
        for lib, use in self._uses.items():
            purposes = sorted(use.purposes, key=[_ID, _CAT].index)
            what = " and ".join(PURPOSE_TEXT[p] for p in purposes)
            kind = "face" if use.modality == _FACE else "voice"
            self.report(
                use.node,
                f"{use.calls[0]} ({lib}) {what}: {kind} biometrics are special-category data "
                "(GDPR Art. 9); needs a DPIA, an explicit legal basis and template protection",
                details={"library": lib, "modality": use.modality, "purposes": purposes,
                         "calls": use.calls},
            )

    # --- decisions -----------------------------------------------------------------------
    def _classify(self, node: cst.Call) -> tuple[str, str, str, str] | None:
        name = self.qualified_name(node.func)
        if name is not None:
            hit = EXACT.get(name)
            if hit is not None:
                return (*hit, _short(name))
            for prefix, hit in PREFIX.items():
                if name == prefix or name.startswith(prefix + "."):
                    return (*hit, _short(prefix))
            if name in SPEECHBRAIN_ENCODER or any(name.startswith(p + ".")
                                                  for p in SPEECHBRAIN_ENCODER):
                if self._checkpoint_matches(node, SPEAKER_CHECKPOINT, ("source",)):
                    return "speechbrain", _VOICE, _ID, "EncoderClassifier (speaker)"
                return None
            if self._is_pyannote_embedding(node):
                return "pyannote", _VOICE, _ID, _short(name)
            if name in INSIGHTFACE_APP:
                return self._insightface_app(node)
            if name in ("insightface.model_zoo.get_model",
                        "insightface.model_zoo.model_zoo.get_model"):
                arg = self._first_arg(node, ("name",))
                ok, value = literal_value(arg) if arg is not None else (False, None)
                if ok and isinstance(value, str) and INSIGHTFACE_NON_ID.search(value):
                    return None
                return "insightface", _FACE, _ID, "model_zoo.get_model"
            if name in DEEPFACE_BUILD_MODEL:
                return self._deepface_build_model(node, _short(name))
        return self._classify_method(node)

    def _classify_method(self, node: cst.Call) -> tuple[str, str, str, str] | None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        receiver = func.value
        if method in REKOGNITION_ID:
            rec = self.dotted_name(receiver)
            if (rec is not None and rec in self._rekognition) or (
                    isinstance(receiver, cst.Call) and self._is_rekognition_client(receiver)):
                return "aws-rekognition", _FACE, _ID, f"rekognition.{method}"
        if AZURE_FACE_ID.match(method) and any(self.is_imported(m) for m in AZURE_FACE_MODULES):
            return "azure-face", _FACE, _ID, f"FaceClient.{method}"
        if method in ("compute_face_descriptor", "compute_face_descriptors") and self.is_imported("dlib"):
            return "dlib", _FACE, _ID, f"dlib.{method}"
        return None

    def _insightface_app(self, node: cst.Call) -> tuple[str, str, str, str] | None:
        arg = self.kwarg(node, "allowed_modules")
        if arg is not None and isinstance(arg.value, (cst.List, cst.Tuple)):
            modules = []
            for el in arg.value.elements:
                ok, value = literal_value(el.value)
                if not ok:
                    modules = None
                    break
                modules.append(value)
            if modules is not None and "recognition" not in modules:
                if "genderage" in modules:
                    return "insightface", _FACE, _CAT, "FaceAnalysis (genderage)"
                return None  # detection / landmarks only
        return "insightface", _FACE, _ID, "FaceAnalysis"

    def _deepface_build_model(self, node: cst.Call, label: str) -> tuple[str, str, str, str] | None:
        """``build_model(model_name, task="facial_recognition")``: recognition models identify,
        attribute models (age, gender, emotion, race) categorise, detectors and anti-spoofing
        models do neither."""
        task_arg = self.kwarg(node, "task")
        if task_arg is None and len(node.args) >= 2 and node.args[1].keyword is None:
            task_arg = node.args[1]
        task: object = "facial_recognition"
        if task_arg is not None:
            ok, task = literal_value(task_arg.value)
            if not ok:
                return None
        model = self._first_arg(node, ("model_name",))
        ok, model_name = literal_value(model) if model is not None else (False, None)
        if task == "facial_attribute" or (ok and model_name in DEEPFACE_ATTRIBUTE_MODELS):
            return "deepface", _FACE, _CAT, label
        if task == "facial_recognition":
            return "deepface", _FACE, _ID, label
        return None

    def _is_rekognition_client(self, call: cst.Call) -> bool:
        name = self.qualified_name(call.func) or self.dotted_name(call.func) or ""
        if not (name == "boto3.client" or name.endswith(".client")):
            return False
        if name != "boto3.client" and not self.is_imported("boto3"):
            return False
        arg = self._first_arg(call, ("service_name",))
        if arg is None:
            return False
        ok, value = literal_value(arg)
        return ok and value == "rekognition"

    def _is_pyannote_embedding(self, call: cst.Call) -> bool:
        name = self.qualified_name(call.func) or ""
        base = name.rsplit(".", 1)[0] if name.endswith(".from_pretrained") else name
        if base not in PYANNOTE_LOADERS:
            return False
        arg = self._first_arg(call, ("checkpoint", "model"))
        if arg is None:
            return False
        if isinstance(arg, cst.Call):
            return self._is_pyannote_embedding(arg)
        dotted = self.dotted_name(arg)
        if dotted is not None and dotted in self._pyannote_embedding:
            return True
        ok, value = literal_value(arg)
        return ok and isinstance(value, str) and bool(PYANNOTE_EMBEDDING.search(value))

    def _checkpoint_matches(self, node: cst.Call, pattern: re.Pattern[str],
                            keywords: tuple[str, ...]) -> bool:
        arg = self._first_arg(node, keywords)
        if arg is None:
            return False
        ok, value = literal_value(arg)
        return ok and isinstance(value, str) and bool(pattern.search(value))

    def _first_arg(self, node: cst.Call, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
        for kw in keywords:
            arg = self.kwarg(node, kw)
            if arg is not None:
                return arg.value
        for arg in node.args:
            if arg.keyword is None and not arg.star:
                return arg.value
        return None
