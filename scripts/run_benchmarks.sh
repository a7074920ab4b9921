#!/usr/bin/env bash
# Refresh every section of BENCHMARKS.md (about 45 minutes on 2 cores; the held-out folds' dictionaries take 20 more
# the first time). Run from the repository root.
set -euxo pipefail
python -m scripts.evaluate --style field,thesaurus,tortured --docs 200 --sweep 0.5,0.7,0.9 --reliability --write-benchmarks
python -m scripts.evaluate --style field,thesaurus,tortured --docs 200 --markup --write-benchmarks
python -m scripts.evaluate --style field,thesaurus,tortured --docs 200 --markup markdown --write-benchmarks
python -m scripts.evaluate --style field,thesaurus --docs 200 --batch 50 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field,thesaurus --docs 200 --batch 200 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --first-words 20 --batch 50 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --footer --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --footer --batch 200 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --table-docs 1600 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --seed 1 --table-docs 1600 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --table-docs 6400 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --table-docs 400 --table-chunk 400 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --table-docs 1600 --table-chunk 400 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field --docs 200 --seed 1 --table-docs 6400 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --style field,thesaurus --docs 60 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.evaluate --engine model --style field,thesaurus --docs 60 --sweep 0.5,0.7,0.9 --write-benchmarks
python -m scripts.recall_funnel --docs 200 --batch 1,50,200 --write-benchmarks
python -m scripts.recall_funnel --docs 60 --batch 1,60 --write-benchmarks
python -m scripts.recall_funnel --engine model --docs 60 --batch 1,60 --write-benchmarks
python -m scripts.evaluate_clean --write-benchmarks
python -m scripts.evaluate_clean --paragraphs-from /usr/share/doc --docs 800 --batch 1 --write-benchmarks
python -m scripts.evaluate_held_out --write-benchmarks
python -m scripts.evaluate_held_out --batch 200 --write-benchmarks
python -m scripts.evaluate_held_out --list tortured --docs 1000 --write-benchmarks
python -m scripts.bench_engine --write
python -m scripts.bench_engine --engine model --cores 2 --words 1000 --write
python -m scripts.bench_http
python -m scripts.bench_http --processes 2 --workers 1
