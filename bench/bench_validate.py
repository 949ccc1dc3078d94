#!/usr/bin/env python3
"""How long strict validation plus the snapshot build takes on a large Venice dump.

    .venv/bin/python bench/bench_validate.py [--sizes 2500,5000,10000] [--repeat 3]
                                             [--write-dump /tmp/dump10k.json] [--json FILE]

For each size it generates a deterministic dump with the type mix of the live API (video and
text most, one upscaler in three hundred), then times, best of ``--repeat`` runs:

- baseline: ``orjson.loads`` of the dump plus ``json.dumps`` of the result -- the least any
  loader must do, measured in the same run so the ratio does not depend on the machine;
- catalog: read the dump, strict validation (parse, structure, every rule), and
  ``CatalogSnapshot.from_checked``.

Peak memory is measured apart (tracemalloc slows the code it traces): the peak of Python
allocations during one catalog run and, for the largest size, the peak resident size of a
fresh process that only reads the dump file and builds the snapshot -- what a server pays
(for 10,000 models and for the largest size). The goal for 10,000 models is at most 2 s and
300 MB, growing linearly: time per model at the largest size at most 1.2 x the smallest's.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from figures import Figure, at_most, write_figures

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog
from modelcatalog.catalog.sources import read_document_bytes

GOAL_MODELS = 10_000
GOAL_SECONDS = 2.0
GOAL_MEGABYTES = 300.0
#: Time per model at the largest size over time per model at the smallest; 1 is linear.
GOAL_GROWTH = 1.2

#: Models per type in the live API (api-docs static models, 2026-08-22).
TYPE_MIX = {
    "video": 116,
    "text": 113,
    "image": 38,
    "inpaint": 21,
    "music": 14,
    "tts": 11,
    "embedding": 9,
    "asr": 5,
    "upscale": 1,
}

Json = dict[str, Any]


def _price(rng: random.Random, high: float = 5.0) -> Json:
    value = round(rng.uniform(0.001, high), 4)
    return {"usd": value, "diem": value}


def _record(model_id: str, kind: str, created: int, spec: Json) -> Json:
    return {
        "created": created,
        "id": model_id,
        "model_spec": spec,
        "object": "model",
        "owned_by": "venice.ai",
        "type": kind,
    }


def _common(rng: random.Random, model_id: str) -> Json:
    return {
        "name": model_id.replace("-", " ").title(),
        "description": "A generated model for the validation benchmark. " * rng.randint(1, 4),
        "modelSource": f"https://huggingface.co/example/{model_id}",
        "offline": False,
        "privacy": rng.choice(["private", "anonymized"]),
        "traits": [],
    }


def _text(rng: random.Random, model_id: str) -> Json:
    window = rng.choice([32768, 131072, 262144, 1000000])
    effort = rng.random() < 0.4
    capabilities: Json = {
        "optimizedForCode": rng.random() < 0.3,
        "quantization": rng.choice(["fp8", "fp16", "bf16", "int4", "not-available"]),
        "supportsFunctionCalling": True,
        "supportsAudioInput": False,
        "supportsReasoning": effort,
        "supportsReasoningEffort": effort,
        "supportsResponseSchema": True,
        "supportsMultipleImages": True,
        "maxImages": 10,
        "supportsVision": True,
        "supportsVideoInput": False,
        "supportsWebSearch": True,
        "supportsLogProbs": rng.random() < 0.5,
        "supportsTeeAttestation": False,
        "supportsE2EE": False,
        "supportsXSearch": False,
    }
    if effort:
        capabilities["reasoningEffortOptions"] = ["low", "medium", "high"]
        capabilities["defaultReasoningEffort"] = "medium"
    pricing: Json = {"input": _price(rng), "cache_input": _price(rng, 1), "output": _price(rng)}
    if window > 200000:
        pricing["extended"] = {
            "context_token_threshold": 200000,
            "input": _price(rng),
            "output": _price(rng),
            "cache_input": _price(rng, 1),
        }
    spec = {
        "pricing": pricing,
        "availableContextTokens": window,
        "maxCompletionTokens": min(window, 32768),
        "capabilities": capabilities,
        "constraints": {"temperature": {"default": 0.7}, "top_p": {"default": 0.9}},
        **_common(rng, model_id),
    }
    return {"context_length": window, **_record(model_id, "text", 1_700_000_000, spec)}


def _image(rng: random.Random, model_id: str) -> Json:
    upscale = {"2x": _price(rng, 0.1), "4x": _price(rng, 0.2)}
    constraints: Json = {
        "promptCharacterLimit": 1500,
        "steps": {"default": 20, "max": 50},
        "widthHeightDivisor": 8,
        "aspectRatios": ["1:1", "3:2", "16:9"],
        "defaultAspectRatio": "1:1",
    }
    pricing: Json = {"generation": _price(rng, 0.2), "upscale": upscale}
    if rng.random() < 0.3:
        constraints |= {"resolutions": ["1K", "2K", "4K"], "defaultResolution": "1K"}
        constraints |= {"qualities": ["low", "medium", "high"], "defaultQuality": "high"}
        levels = ("low", "medium", "high")
        pricing = {
            "resolutions": {r: _price(rng, 1) for r in ("1K", "2K", "4K")},
            "quality": {r: {q: _price(rng, 1) for q in levels} for r in ("1K", "2K", "4K")},
            "upscale": upscale,
        }
    spec = {"pricing": pricing, "constraints": constraints, **_common(rng, model_id)}
    return _record(model_id, "image", 1_700_000_000, spec)


def _video(rng: random.Random, model_id: str) -> Json:
    constraints = {
        "model_type": rng.choice(["image-to-video", "text-to-video"]),
        "aspect_ratios": rng.choice([[], ["16:9", "9:16"]]),
        "resolutions": ["1080p", "720p"],
        "durations": ["5s", "10s"],
        "audio": True,
        "audio_configurable": rng.random() < 0.5,
        "prompt_character_limit": 2500,
    }
    return _record(
        model_id, "video", 1_700_000_000, {"constraints": constraints, **_common(rng, model_id)}
    )


def _inpaint(rng: random.Random, model_id: str) -> Json:
    spec = {
        "pricing": {"inpaint": _price(rng, 0.2)},
        "constraints": {
            "aspectRatios": ["auto", "1:1"],
            "promptCharacterLimit": 1500,
            "combineImages": True,
        },
        **_common(rng, model_id),
    }
    return _record(model_id, "inpaint", 1_700_000_000, spec)


def _music(rng: random.Random, model_id: str) -> Json:
    tiers = {
        str(end): {**_price(rng, 2), "min_seconds": end - 59, "max_seconds": end}
        for end in (60, 120, 180)
    }
    spec = {
        "pricing": {"durations": tiers},
        "supports_lyrics": True,
        "lyrics_required": False,
        "duration_options": [60, 120, 180],
        "min_duration": 60,
        "max_duration": 180,
        "default_duration": 60,
        "supported_formats": ["mp3", "wav"],
        "default_format": "mp3",
        "prompt_character_limit": 500,
        "min_prompt_length": 1,
        "lyrics_character_limit": 3000,
        **_common(rng, model_id),
    }
    return _record(model_id, "music", 1_700_000_000, spec)


def _tts(rng: random.Random, model_id: str) -> Json:
    spec = {
        "pricing": {"input": _price(rng, 60)},
        "voices": [f"voice_{n}" for n in range(rng.randint(3, 40))],
        "supported_formats": ["mp3", "wav"],
        "default_format": "mp3",
        **_common(rng, model_id),
    }
    return _record(model_id, "tts", 1_700_000_000, spec)


def _embedding(rng: random.Random, model_id: str) -> Json:
    spec = {
        "pricing": {"input": _price(rng, 0.2), "output": _price(rng, 0.2)},
        "embeddingDimensions": 1024,
        "maxInputTokens": 8192,
        **_common(rng, model_id),
    }
    return _record(model_id, "embedding", 1_700_000_000, spec)


def _asr(rng: random.Random, model_id: str) -> Json:
    spec = {"pricing": {"per_audio_second": _price(rng, 0.001)}, **_common(rng, model_id)}
    return _record(model_id, "asr", 1_700_000_000, spec)


def _upscale(rng: random.Random, model_id: str) -> Json:
    upscale = {"2x": _price(rng, 0.1), "4x": _price(rng, 0.2)}
    spec = {"pricing": {"upscale": upscale}, **_common(rng, model_id)}
    return _record(model_id, "upscale", 1_700_000_000, spec)


BUILDERS: dict[str, Callable[[random.Random, str], Json]] = {
    "text": _text,
    "image": _image,
    "video": _video,
    "inpaint": _inpaint,
    "music": _music,
    "tts": _tts,
    "embedding": _embedding,
    "asr": _asr,
    "upscale": _upscale,
}


def generate_dump(size: int, seed: int = 2026) -> Json:
    """A ``{"data": [...]}`` dump of ``size`` strictly valid models in the live type mix."""
    rng = random.Random(seed)
    kinds = rng.choices(list(TYPE_MIX), weights=list(TYPE_MIX.values()), k=size)
    return {
        "object": "list",
        "type": "all",
        "data": [BUILDERS[kind](rng, f"{kind}-model-{n}") for n, kind in enumerate(kinds)],
    }


def baseline(blob: bytes) -> None:
    json.dumps(orjson.loads(blob))


def catalog(blob: bytes) -> CatalogSnapshot:
    checked = check_catalog(read_document_bytes(blob, "dump.json"), Mode.STRICT)
    return CatalogSnapshot.from_checked(checked)


def best_of(repeat: int, run: Callable[[], object]) -> float:
    return best_of_both(repeat, run)[0]


def best_of_both(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of ``repeat`` runs, in seconds.

    CPU time is what to compare on a machine busy with other work, where the wall clock also
    counts the time the process waited for a CPU."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def traced_peak_mb(run: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def max_rss_mb() -> float:
    """This process's peak resident size in MB."""
    # On Linux a child started by fork+exec inherits the parent's ru_maxrss; VmHWM is its own.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def fresh_process(blob: bytes, repeat: int) -> dict[str, float]:
    """Reading ``blob`` from a file and building its snapshot in a new Python process, then
    warming every view of it: seconds (wall and CPU) best of ``repeat`` processes, peak RSS in
    MB the most of them (imports excluded from the times, included in the memory)."""
    runs = []
    with tempfile.NamedTemporaryFile(suffix=".json") as dump:
        dump.write(blob)
        dump.flush()
        command = [sys.executable, __file__, "--child", dump.name]
        for _ in range(repeat):
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(output))
    return {
        key: (max if key.startswith("rss") else min)(run[key] for run in runs) for key in runs[0]
    }


def child(path: Path) -> int:
    from modelcatalog.api import CatalogState

    wall, cpu = time.perf_counter(), time.process_time()
    snapshot = catalog(path.read_bytes())
    built = {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    built["rss"] = max_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    CatalogState(snapshot, warm=True)
    built |= {"views_seconds": time.perf_counter() - wall, "views_cpu": time.process_time() - cpu}
    built["rss_views"] = max_rss_mb()
    print(json.dumps(built))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2500,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write-dump", type=Path, help="also write the largest dump here")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    header = ("models", "baseline s", "catalog s", "CPU s", "ratio", "ms/model", "peak MB")
    print("{:>7} {:>11} {:>10} {:>6} {:>6} {:>9} {:>8}".format(*header))
    rows = []
    for size in sizes:
        row = measure_size(size, args.repeat)
        if row is None:
            return 1
        rows.append(row)
        print(
            f"{size:>7} {row.baseline:>11.3f} {row.seconds:>10.3f} {row.cpu:>6.3f} "
            f"{row.seconds / row.baseline:>6.1f} {1000 * row.seconds / size:>9.3f} "
            f"{row.peak_mb:>8.1f}"
        )
    if args.write_dump:
        args.write_dump.write_bytes(orjson.dumps(generate_dump(sizes[-1])))
    fresh = {}
    for size in sorted({s for s in sizes if s == GOAL_MODELS} | {sizes[-1]}):
        run = fresh[size] = fresh_process(orjson.dumps(generate_dump(size)), args.repeat)
        print(
            f"fresh process, {size} models: {run['seconds']:.3f} s (CPU {run['cpu']:.3f} s), "
            f"peak RSS {run['rss']:.0f} MB; warming every view: {run['views_seconds']:.3f} s "
            f"(CPU {run['views_cpu']:.3f} s), peak RSS {run['rss_views']:.0f} MB"
        )
    figures = verdict(rows, fresh)
    write_figures(args.json, figures)
    return 0


@dataclass(frozen=True)
class SizeRow:
    size: int
    baseline: float
    seconds: float
    cpu: float
    peak_mb: float


def measure_size(size: int, repeat: int) -> SizeRow | None:
    blob = orjson.dumps(generate_dump(size))
    checked = check_catalog(read_document_bytes(blob, "dump.json"), Mode.STRICT)
    if not checked.ok:
        print(f"generated dump is invalid: {checked.errors[0]}", file=sys.stderr)
        return None
    del checked  # only the timed runs' own objects should be alive while they run
    base = best_of(repeat, lambda: baseline(blob))
    spent, cpu = best_of_both(repeat, lambda: catalog(blob))
    peak = traced_peak_mb(lambda: catalog(blob))
    return SizeRow(size, base, spent, cpu, peak)


def _fresh_figures(size: int, run: dict[str, float]) -> list[Figure]:
    goal = size == GOAL_MODELS
    if goal:
        met = run["seconds"] <= GOAL_SECONDS and run["rss"] <= GOAL_MEGABYTES
        word = "met" if met else "NOT met"
        print(f"goal at {size} models ({GOAL_SECONDS:g} s and {GOAL_MEGABYTES:g} MB): {word}")
    name = f"{size:,} models, fresh process"
    return [
        Figure(
            "validate",
            f"{name}: parse, check, build",
            round(run["seconds"], 3),
            "s",
            goal=f"<= {GOAL_SECONDS:g} s" if goal else "",
            met=at_most(run["seconds"], GOAL_SECONDS) if goal else None,
        ),
        Figure("validate", f"{name}: the same in CPU time", round(run["cpu"], 3), "s"),
        Figure(
            "validate",
            f"{name}: peak RSS",
            round(run["rss"]),
            "MB",
            goal=f"<= {GOAL_MEGABYTES:g} MB" if goal else "",
            met=at_most(run["rss"], GOAL_MEGABYTES) if goal else None,
        ),
        Figure("validate", f"{name}: then warming every view", round(run["views_seconds"], 3), "s"),
        Figure("validate", f"{name}: peak RSS with the views", round(run["rss_views"]), "MB"),
    ]


def verdict(rows: list[SizeRow], fresh: dict[int, dict[str, float]]) -> list[Figure]:
    """Print the growth and the goal; return every figure with its baseline and goal."""
    figures = []
    for row in rows:
        name = f"{row.size:,} models: parse, check, build"
        base = "orjson.loads + json.dumps"
        figures += [
            Figure(
                "validate",
                name,
                # Unrounded: small runs take well under a millisecond, and the table rounds.
                row.seconds,
                "s",
                base,
                row.baseline,
                row.seconds / row.baseline,
            ),
            Figure("validate", f"{name} (CPU time)", round(row.cpu, 4), "s"),
        ]
    small, large = rows[0], rows[-1]
    if large.size > small.size:
        scale = large.size / small.size
        growth = (large.seconds / small.seconds) / scale
        cpu_growth = (large.cpu / small.cpu) / scale
        print(
            f"growth from {small.size} to {large.size} models: {growth:.2f}x linear "
            f"({cpu_growth:.2f}x in CPU time)"
        )
        for clock, value in (("", growth), (", CPU time", cpu_growth)):
            figures.append(
                Figure(
                    "validate",
                    f"growth {small.size:,} -> {large.size:,} models (time per model{clock})",
                    round(value, 2),
                    "x",
                    goal=f"<= {GOAL_GROWTH:g} (1 is linear)",
                    met=at_most(value, GOAL_GROWTH),
                )
            )
    for size, run in fresh.items():
        figures += _fresh_figures(size, run)
    return figures


if __name__ == "__main__":
    sys.exit(main())
