"""AIP504 biometric-identification. Docs live in rules/AIP504.toml.

How the check works: a flow rule whose own model (below) makes the identifying calls
``biometric`` sinks. The dataflow engine resolves every call through the file's imports and
assignments (a client bound to a name, a model built in one statement and used in another, a
helper module of the project) (``from deepface import
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

from ...flow.model import CallSite, Model, Outcome, Use
from ...flow.summary import Event
from ...flow.values import CLEAN, Val, obj
from ._flow_rule import Context, FlowRule

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



# --- the rule's model: identifying calls are sinks -----------------------------------------------
def _use(lib: str, modality: str, purpose: str, call: str, ret: Val = CLEAN) -> Outcome:
    return Outcome(ret, [Use("biometric", {"library": lib, "modality": modality,
                                           "purpose": purpose, "call": call, "always": True})])


def _text(site: CallSite, *keywords: str) -> str | None:
    """The constant text of the first of ``keywords`` given, else of the first positional."""
    for kw in keywords:
        if kw in site.kwargs:
            return site.kwargs[kw].text()
    return site.args[0].text() if site.args else None


def qualified_call(site: CallSite) -> Outcome | Val | None:
    name = site.q or ""
    hit = EXACT.get(name)
    if hit is not None:
        return _use(*hit, _short(name))
    for prefix, hit in PREFIX.items():
        if name == prefix or name.startswith(prefix + "."):
            return _use(*hit, _short(prefix))
    if name in SPEECHBRAIN_ENCODER or any(name.startswith(p + ".") for p in SPEECHBRAIN_ENCODER):
        source = _text(site, "source")
        if source is not None and SPEAKER_CHECKPOINT.search(source):
            return _use("speechbrain", _VOICE, _ID, "EncoderClassifier (speaker)")
        return None
    base = name.rsplit(".", 1)[0] if name.endswith(".from_pretrained") else name
    if base in PYANNOTE_LOADERS:
        arg = site.arg("checkpoint", 0) or site.arg("model")
        emb = arg is not None and ((arg.obj is not None and arg.obj.type == "bio.pyannote-embedding")
                                   or (arg.text() is not None and PYANNOTE_EMBEDDING.search(arg.text())))
        if emb:
            return _use("pyannote", _VOICE, _ID, _short(name),
                        Val(obj=obj("bio.pyannote-embedding")))
        return None
    if name in INSIGHTFACE_APP:
        return _insightface_app(site)
    if name in ("insightface.model_zoo.get_model", "insightface.model_zoo.model_zoo.get_model"):
        value = _text(site, "name")
        if value is not None and INSIGHTFACE_NON_ID.search(value):
            return None
        return _use("insightface", _FACE, _ID, "model_zoo.get_model")
    if name in DEEPFACE_BUILD_MODEL:
        return _deepface_build_model(site, _short(name))
    if name == "boto3.client" and _text(site, "service_name") == "rekognition":
        return Val(obj=obj("bio.rekognition"))
    return None


def _insightface_app(site: CallSite) -> Outcome | None:
    arg = site.arg("allowed_modules")
    if arg is not None and arg.elems is not None:
        modules = [e.const() for e in arg.elems]
        if all(isinstance(m, str) for m in modules) and "recognition" not in modules:
            if "genderage" in modules:
                return _use("insightface", _FACE, _CAT, "FaceAnalysis (genderage)")
            return None  # detection / landmarks only
    if arg is not None and arg.item is not None and arg.item.consts and arg.elems is None:
        modules = [c.value for c in arg.item.consts]
        if "recognition" not in modules:
            return None if "genderage" not in modules else \
                _use("insightface", _FACE, _CAT, "FaceAnalysis (genderage)")
    return _use("insightface", _FACE, _ID, "FaceAnalysis")


def _deepface_build_model(site: CallSite, label: str) -> Outcome | None:
    """``build_model(model_name, task="facial_recognition")``: recognition models identify,
    attribute models (age, gender, emotion, race) categorise, detectors and anti-spoofing
    models do neither."""
    task_v = site.arg("task", 1)
    task: object = "facial_recognition"
    if task_v is not None:
        if not task_v.consts or len(task_v.consts) != 1:
            return None
        task = task_v.const()
    model_name = _text(site, "model_name")
    if task == "facial_attribute" or model_name in DEEPFACE_ATTRIBUTE_MODELS:
        return _use("deepface", _FACE, _CAT, label)
    if task == "facial_recognition":
        return _use("deepface", _FACE, _ID, label)
    return None


def rekognition_method(site: CallSite) -> Outcome | None:
    if site.name in REKOGNITION_ID:
        return _use("aws-rekognition", _FACE, _ID, f"rekognition.{site.name}")
    return None


def named_method(site: CallSite) -> Outcome | None:
    """Methods whose library the imports say: Azure Face ``identify``/``verify_*`` /
    ``find_similar``, dlib's ``compute_face_descriptor``."""
    m = site.module
    if AZURE_FACE_ID.match(site.name) and any(m.imports(x) for x in AZURE_FACE_MODULES):
        return _use("azure-face", _FACE, _ID, f"FaceClient.{site.name}")
    if site.name in ("compute_face_descriptor", "compute_face_descriptors") and m.imports("dlib"):
        return _use("dlib", _FACE, _ID, f"dlib.{site.name}")
    return None


_ROOTS = sorted({q.split(".")[0] for q in (*EXACT, *PREFIX, *SPEECHBRAIN_ENCODER, *PYANNOTE_LOADERS,
                                            *INSIGHTFACE_APP, *DEEPFACE_BUILD_MODEL)} | {"boto3"})
BIOMETRIC_MODEL = Model(
    "biometric",
    prefixes=[(r + ".", qualified_call) for r in _ROOTS],
    methods={"bio.rekognition": {"*": rekognition_method}},
    receivers=[(re.compile(r""), named_method)],
)


class BiometricIdentification(FlowRule):
    rule_id = "AIP504"
    sinks = frozenset({"biometric"})
    needs = tuple(sorted({p[0] for p in _QUALIFIED_PARTS} | {"boto3", "azure", "dlib"}))
    model = BIOMETRIC_MODEL

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

    def __init__(self) -> None:
        self.uses: dict[tuple[str, str], list] = {}  # (module, library) -> [first event, ...]

    def judge(self, ev: Event, ctx: Context) -> None:
        info = ev.info
        key = (ev.module, info["library"])
        self.uses.setdefault(key, []).append(ev)

    def finish(self, ctx: Context) -> None:
        for (rel, lib), events in sorted(self.uses.items()):
            events.sort(key=lambda e: (e.pos.line, e.pos.col))
            first = events[0]
            purposes, calls = [], []
            for e in events:
                if e.info["purpose"] not in purposes:
                    purposes.append(e.info["purpose"])
                if e.info["call"] not in calls:
                    calls.append(e.info["call"])
            purposes.sort(key=[_ID, _CAT].index)
            what = " and ".join(PURPOSE_TEXT[p] for p in purposes)
            kind = "face" if first.info["modality"] == _FACE else "voice"
            ctx.report(self.rule_id, rel, first.pos, first.context,
                       f"{calls[0]} ({lib}) {what}: {kind} biometrics are special-category data "
                       "(GDPR Art. 9); needs a DPIA, an explicit legal basis and template protection",
                       {"library": lib, "modality": first.info["modality"], "purposes": purposes,
                        "calls": calls})
