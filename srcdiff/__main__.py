"""``python -m srcdiff show FILE.py:FUNC [--wrt N] [--mode reverse|forward] [--order 2]``:
print a function's generated adjoint (reverse mode) or tangent function (forward mode);
``--order 2`` prints the second-order code: the vjp of the gradient, which given a vector
``v`` (its ``seed``) returns the Hessian-vector product.

``python -m srcdiff export FILE.py:FUNC [--wrt N] [--mode forward] -o dfunc.py``: write its
adjoint (or tangent function) as a standalone module that imports only NumPy.
"""

import argparse
import importlib.util
import inspect
import pathlib
import sys

from srcdiff.api import grad, jvp, vjp
from srcdiff.errors import SrcdiffError
from srcdiff.listing import listing
from srcdiff.standalone import export


def _load(path):
    """Import the file ``path`` as a module, so its functions have readable source."""
    spec = importlib.util.spec_from_file_location(pathlib.Path(path).stem, path)
    if spec is None:
        raise SystemExit(f"srcdiff: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _wrt(text):
    items = tuple(int(t) if t.lstrip("-").isdigit() else t for t in text.split(","))
    return items[0] if len(items) == 1 else items


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m srcdiff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the generated adjoint of FILE.py:FUNC")
    show.add_argument("target", metavar="FILE.py:FUNC")
    show.add_argument("--wrt", default="0", help="argument position(s) or name(s), comma-separated")
    show.add_argument(
        "--mode",
        default="reverse",
        choices=["reverse", "forward"],
        help="reverse: the adjoint (grad); forward: the tangent function (jvp)",
    )
    show.add_argument(
        "--order",
        type=int,
        default=1,
        choices=[1, 2],
        help="2: the second-order code (the vjp of the gradient: Hessian-vector products)",
    )
    exporter = commands.add_parser(
        "export", help="write the gradient of FILE.py:FUNC as a module that imports only NumPy"
    )
    exporter.add_argument("target", metavar="FILE.py:FUNC")
    exporter.add_argument(
        "--wrt", default="0", help="argument position(s) or name(s), comma-separated"
    )
    exporter.add_argument(
        "-o", "--output", required=True, metavar="OUT.py", help="the file to write"
    )
    exporter.add_argument(
        "--mode",
        default="reverse",
        choices=["reverse", "forward"],
        help="reverse: the adjoint (grad); forward: the tangent function (jvp)",
    )
    args = parser.parse_args(argv)
    path, _, function = args.target.rpartition(":")
    if not path or not function:
        parser.error("the target is FILE.py:FUNC")
    fn = getattr(_load(path), function, None)
    if fn is None:
        parser.error(f"{path} defines no {function}")
    try:
        # A function decorated with @srcdiff.grad already is its adjoint.
        if isinstance(getattr(fn, "source", None), str):
            compiled = fn
        else:
            compiled = (jvp if args.mode == "forward" else grad)(fn, wrt=_wrt(args.wrt))
        if args.command == "export":
            export(compiled, args.output)
        if args.command == "show" and args.order == 2:
            compiled = vjp(compiled, wrt=_wrt(args.wrt))
    except SrcdiffError as error:
        print(f"srcdiff: {error}", file=sys.stderr)
        return 1
    if args.command == "export":
        print(f"wrote {args.output}: {compiled.__name__}{inspect.signature(compiled)}")
    else:
        print(
            listing(compiled, "tangent function" if args.mode == "forward" else "adjoint"), end=""
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
