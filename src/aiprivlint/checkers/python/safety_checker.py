"""AIP503 safety-checker-disabled. Docs live in rules/AIP503.toml.

How the check works: in a file that imports ``diffusers`` (or ``optimum``, whose ONNX/OpenVINO
Stable Diffusion pipelines carry the same checker), it reports, for pipelines that have a
safety checker to disable (not SDXL, SD3, Flux, PixArt, Kandinsky ... whose classes, or, for
``DiffusionPipeline`` / ``AutoPipelineFor*``, whose model ids, say they have none)

* a call with ``safety_checker=None``, ``requires_safety_checker=False`` or
  ``load_safety_checker=False``: ``from_pretrained``, ``from_single_file``, ``from_pipe``, a
  pipeline constructor, ``register_modules`` / ``update_components`` (one finding per call);
* a keyword dictionary with the same entries (``{"safety_checker": None}``,
  ``components["safety_checker"] = None``);
* ``pipe.safety_checker = None``, ``pipe.requires_safety_checker = False``,
  ``setattr(pipe, "safety_checker", None)``;
* a replacement checker that lets everything through: ``pipe.safety_checker = lambda images,
  **kw: (images, [False] * len(images))``, ``pipe.run_safety_checker = ...``, or a function
  assigned there that is defined in the file or named like a stub (``dummy``, ``noop``, ``fake``,
  ``bypass``, ``disable``...). Assigning a real checker (a call, ``StableDiffusionSafetyChecker
  .from_pretrained(...)``, or an attribute such as ``pipe.safety_checker.to(...)``) stays quiet.

Assignments on an object other than ``self``/``cls`` are reported even without the import (the
pipeline may be built in another module; the attribute name is specific). A pipeline class's own
``self.safety_checker = None`` is reported only in a file that imports diffusers (the library's
own pipelines, which import relatively and declare the attribute when they have no checker, stay
quiet).

Severity is the rule's (MEDIUM), raised to HIGH when the file also imports a serving framework
(gradio, streamlit, fastapi, flask...): unfiltered images then reach other people.
"""

from __future__ import annotations

import ast
import re

from ._ast_base import AstRule, first_positional, literal_value, unstar as _unstar
from ...findings import Severity
from ...models.train import is_gradient_step

SD_PACKAGES = ("diffusers", "optimum")
SERVING = ("gradio", "streamlit", "fastapi", "flask", "starlette", "bentoml", "ray.serve",
           "litserve", "modal", "django", "telegram", "discord")
# keyword -> the literal value that disables the checker
DISABLING = {"safety_checker": None, "requires_safety_checker": False,
             "load_safety_checker": False}
# Pipelines that have a safety checker to disable: the Stable Diffusion 1.x/2.x family and the
# pipelines built on it, DeepFloyd IF, AltDiffusion, Paint-by-Example, Versatile Diffusion,
# unCLIP, LCM. SDXL, SD3, Flux, PixArt, Kandinsky, Stable Cascade, the video and audio pipelines
# ... have none: safety_checker=None is a no-op there.
CHECKER_CLASS = re.compile(r"StableDiffusion(?!XL|3|Upscale)|^IF|AltDiffusion|PaintByExample|"
                           r"VersatileDiffusion|StableUnCLIP|LatentConsistencyModel|Text2VideoZero|"
                           r"LDM3D|Ldm3D|OnnxStableDiffusion|OVStableDiffusion(?!XL)")
GENERIC_CLASS = re.compile(r"^(DiffusionPipeline|AutoPipelineFor\w+|ORTDiffusionPipeline|"
                           r"OVDiffusionPipeline)$")
NO_CHECKER_MODEL = re.compile(r"(?i)xl|flux|sd3|stable-diffusion-3|kandinsky|pixart|playground|"
                              r"cascade|wuerstchen|sana|lumina|hunyuan|auraflow|cogview|ltx|mochi|"
                              r"wan2|animatediff|stable-video|audioldm|musicldm")
STUB_WORDS = ("dummy", "noop", "no_op", "fake", "bypass", "disable", "disabled", "skip",
              "null", "identity", "no_safety", "nsfw_off", "passthrough")
SELF_NAMES = {"self", "cls"}


class SafetyCheckerDisabled(AstRule):
    """AIP503: diffusion pipelines with their NSFW safety checker removed or stubbed out."""

    rule_id = "AIP503"
    needs = ("safety_checker",)

    VALID = [
        "from diffusers import StableDiffusionPipeline\n"
        "pipe = StableDiffusionPipeline.from_pretrained('sd-legacy/stable-diffusion-v1-5')",
        # SDXL, Flux ... have no safety checker: the keyword is a no-op
        "from diffusers import StableDiffusionXLPipeline\n"
        "pipe = StableDiffusionXLPipeline.from_pretrained(m, safety_checker=None)",
        "from diffusers import DiffusionPipeline\n"
        "pipe = DiffusionPipeline.from_pretrained('black-forest-labs/FLUX.1-dev', safety_checker=None)",
        "from diffusers import StableDiffusionPipeline\n"
        "pipe = StableDiffusionPipeline.from_pretrained(m)\n"
        "pipe.safety_checker = pipe.safety_checker.to(memory_format=torch.channels_last)",
        "def run(safety_checker=None):\n    return safety_checker",
        "from diffusers import StableDiffusionPipeline\n"
        "pipe = StableDiffusionPipeline.from_pretrained(m, requires_safety_checker=True)",
    ]
    INVALID = [
        "from diffusers import StableDiffusionPipeline\n"
        "pipe = StableDiffusionPipeline.from_pretrained(m, safety_checker=None)",
        "from diffusers import DiffusionPipeline\n"
        "pipe = DiffusionPipeline.from_pretrained(m, requires_safety_checker=False)",
        "pipe.safety_checker = None",
        "pipe.safety_checker = lambda images, **kw: (images, [False] * len(images))",
        "from diffusers import StableDiffusionPipeline\n"
        "def dummy(images, **kwargs):\n    return images, [False] * len(images)\n"
        "pipe = StableDiffusionPipeline.from_pretrained(m)\npipe.safety_checker = dummy",
        "from diffusers import StableDiffusionPipeline\nkw = {'safety_checker': None}\n"
        "pipe = StableDiffusionPipeline.from_pretrained(m, **kw)",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._defined: set[str] = set()
        self._pending: list[tuple[ast.AST, str, str]] = []  # (node, message, requires)
        self._trains = False  # the module takes gradient steps (``loss.backward()`` ...)

    def _sd_imported(self) -> bool:
        return any(self.is_imported(p) for p in SD_PACKAGES)

    # --- calls and dictionaries ----------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and not self._trains:
            rname = (self.dotted_name(node.func.value) or "").rsplit(".", 1)[-1]
            self._trains = is_gradient_step(node.func.attr, rname,
                                            {kw.arg for kw in node.keywords})
        if self._is_setattr_disable(node):
            self._later(node, "setattr(pipe, 'safety_checker', None) removes the NSFW safety "
                        "checker of the diffusion pipeline", "always")
            return
        hits = [kw.arg for kw in node.keywords
                if kw.arg in DISABLING and literal_value(kw.value) == (True, DISABLING[kw.arg])]
        if hits and self._has_checker(node) is False:
            return  # that pipeline has no safety checker: the keyword changes nothing
        if hits:
            callee = (self.dotted_name(node.func) or "the pipeline").split(".")[-1]
            what = ", ".join(f"{h}={DISABLING[h]}" for h in hits)
            self._later(node, f"{callee}(..., {what}) builds a diffusion pipeline without its "
                        "NSFW safety checker", "import")

    def visit_Dict(self, node: ast.Dict) -> None:
        for k, v in zip(node.keys, node.values):
            if k is None:  # ``**other``
                continue
            ok, key = literal_value(k)
            if ok and key in DISABLING and literal_value(v) == (True, DISABLING[key]):
                self._later(node, f"a keyword dictionary sets {key}={DISABLING[key]}: the "
                            "diffusion pipeline built from it has no NSFW safety checker",
                            "import")
                return

    # --- assignments ---------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._defined.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef  # one FunctionDef node in libcst

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assignment(target, node.value, node)

    def _assignment(self, target: ast.expr, value: ast.expr, node: ast.AST) -> None:
        if isinstance(target, ast.Subscript):
            key = self._subscript_key(target)
            if key in DISABLING and literal_value(value) == (True, DISABLING[key]):
                self._later(node, f"the pipeline components set {key}={DISABLING[key]}: the "
                            "diffusion pipeline built from them has no NSFW safety checker",
                            "import")
            return
        if not isinstance(target, ast.Attribute):
            return
        attr = target.attr
        requires = "import" if self._head(target.value) in SELF_NAMES else "always"
        if attr in ("safety_checker", "requires_safety_checker"):
            if literal_value(value) == (True, DISABLING[attr]):
                effect = ("removes the NSFW safety checker of the diffusion pipeline"
                          if attr == "safety_checker" else
                          "lets the diffusion pipeline run without its NSFW safety checker")
                self._later(node, f"setting {attr} = {DISABLING[attr]} {effect}", requires)
                return
        if attr in ("safety_checker", "run_safety_checker") and self._is_stub(value):
            self._later(node, f"{attr} is replaced by a function that lets every image through: "
                        "the diffusion pipeline no longer filters NSFW output", requires)

    def _has_checker(self, call: ast.Call) -> bool | None:
        """Whether the pipeline a call builds has a safety checker: False for the classes and
        model families that have none, None when unknown."""
        name = self.qualified_name(call.func) or self.dotted_name(call.func) or ""
        parts = name.split(".")
        cls = next((p for p in reversed(parts) if p[:1].isupper()), "")
        if not cls:
            return None
        if GENERIC_CLASS.match(cls):
            model = first_positional(call)
            ok, value = literal_value(model) if model is not None else (False, None)
            if ok and isinstance(value, str) and NO_CHECKER_MODEL.search(value):
                return False
            return None
        if cls.endswith("Pipeline") or cls.startswith(("OV", "ORT", "Onnx")):
            return bool(CHECKER_CLASS.search(cls))
        return None

    def _is_stub(self, value: ast.expr) -> bool:
        if isinstance(value, ast.Lambda):
            return True
        if isinstance(value, ast.Name):
            name = value.id
            return name in self._defined or any(w in name.lower() for w in STUB_WORDS)
        return False

    def _is_setattr_disable(self, node: ast.Call) -> bool:
        # three arguments in all, none of them a keyword (libcst counts ``*a`` as one)
        if not (isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and len(node.args) + len(node.keywords) == 3) or node.keywords:
            return False
        ok, name = literal_value(_unstar(node.args[1]))
        return ok and name in DISABLING and \
            literal_value(_unstar(node.args[2])) == (True, DISABLING[name])

    @staticmethod
    def _subscript_key(node: ast.Subscript) -> object:
        key = node.slice
        if isinstance(key, (ast.Tuple, ast.Slice)):  # d[a, b] and d[a:b]: several slices in libcst
            return None
        ok, value = literal_value(key)
        return value if ok else None

    @staticmethod
    def _head(node: ast.expr) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    # --- decision ------------------------------------------------------------------------
    def _later(self, node: ast.AST, message: str, requires: str) -> None:
        self._pending.append((node, message, requires))

    def leave_Module(self, node: ast.Module) -> None:
        # decided at the end: imports and function definitions may come after the use
        sd = self._sd_imported()
        serving = any(self.is_imported(p) for p in SERVING)
        for target, message, requires in self._pending:
            if requires == "import" and not sd:
                continue
            msg = message + ("; this file also serves its output to users" if serving else "")
            msg += ". Keep the checker (or replace it with a stricter filter) wherever images " \
                   "leave the developer's machine"
            low = self._trains and not serving
            if low:
                msg += (" (low confidence: this file trains, so the pipeline makes validation "
                        "images from the run's own prompts, seen by the person training)")
            self.report(target, msg, details={"serving": serving, "trains": self._trains},
                        severity=Severity.HIGH if serving else None,
                        confidence="low" if low else "")
