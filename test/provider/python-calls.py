"""Prints, as JSON, what a Python Pulumi program asks of the fleetmesh SDK: each `fleetmesh.<Component>(...)`
call with its keyword arguments (dict literals kept as nested key trees, anything else as null) and each
attribute read on a variable bound to such a call. Read by test/provider/examples.test.ts."""

import ast
import json
import sys


def shape(node):
    """A dict literal as {key: shape}, a list literal as [shape...], anything else as None."""
    if isinstance(node, ast.Dict):
        return {k.value: shape(v) for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
    if isinstance(node, ast.List):
        return [shape(item) for item in node.elts]
    return None


def main(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    calls, bound, reads = [], {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if isinstance(target, ast.Name) and target.id == "fleetmesh":
                calls.append({"component": node.func.attr, "kwargs": {k.arg: shape(k.value) for k in node.keywords if k.arg}})
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "fleetmesh":
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        bound[t.id] = func.attr
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            reads.append({"component": bound[node.value.id], "attribute": node.attr})
    json.dump({"calls": calls, "reads": reads}, sys.stdout)


main(sys.argv[1])
