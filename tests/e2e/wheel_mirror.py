"""A local copy of the index pages and wheel files the libtorch installer needs, for the e2e test.

    python3 wheel_mirror.py PROPERTIES FLAVOUR CACHE MIRROR

Reads the flavour's requirements from native/libtorch.properties, fetches each project's PEP 691
page from the real index and the wheel the installer picks (the first linux x86_64 wheel by name;
kept in CACHE so that later runs need no network), and writes MIRROR/simple/<project>/index.html
(the real page, reduced to that wheel, its address pointing into MIRROR/files) for
`python3 -m http.server`. The digests are the real index's: the installer checks against them.
"""
import hashlib
import json
import os
import shutil
import sys
import urllib.request


def properties(path):
    values = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def main(properties_path, flavour, cache, mirror):
    spec = properties(properties_path)
    os.makedirs(cache, exist_ok=True)
    os.makedirs(os.path.join(mirror, "files"), exist_ok=True)
    for requirement in spec[flavour].split():
        name, version = requirement.split("==")
        page_cache = os.path.join(cache, f"{name}-{version}.json")
        if not os.path.exists(page_cache):
            request = urllib.request.Request(spec["index"] + name + "/",
                                             headers={"Accept": "application/vnd.pypi.simple.v1+json"})
            page = json.load(urllib.request.urlopen(request, timeout=60))
            prefix = name.lower().replace("-", "_").replace(".", "_") + "-" + version + "-"
            files = sorted((f for f in page["files"] if f["filename"].startswith(prefix)
                            and f["filename"].endswith(".whl") and "manylinux" in f["filename"]
                            and "x86_64" in f["filename"] and "cp314t" not in f["filename"]),
                           key=lambda f: f["filename"])
            page["files"] = files[:1]
            with open(page_cache, "w") as out:
                json.dump(page, out)
        page = json.load(open(page_cache))
        wheel = page["files"][0]
        cached = os.path.join(cache, wheel["filename"])
        if not os.path.exists(cached):
            with urllib.request.urlopen(wheel["url"], timeout=60) as src, open(cached + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            digest = hashlib.sha256(open(cached + ".part", "rb").read()).hexdigest()
            if digest != wheel["hashes"]["sha256"]:
                sys.exit(f"wheel_mirror: {wheel['filename']} does not match the index's digest")
            os.rename(cached + ".part", cached)
        target = os.path.join(mirror, "files", wheel["filename"])
        if not os.path.exists(target):
            os.symlink(cached, target)
        wheel["url"] = "../../files/" + wheel["filename"]
        os.makedirs(os.path.join(mirror, "simple", name), exist_ok=True)
        with open(os.path.join(mirror, "simple", name, "index.html"), "w") as out:
            json.dump(page, out)


if __name__ == "__main__":
    main(*sys.argv[1:5])
