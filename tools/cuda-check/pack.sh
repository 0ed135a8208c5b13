#!/bin/bash
# Packs what the refiner's CUDA check needs on a bare GPU machine that has CUDA 13 / cuDNN 9 libraries (the device
# machine's PyTorch image) but no .NET: the .NET runtime, a framework-dependent build of the benchmark project and ONNX
# Runtime's CUDA provider (284 MB, 186 MB xz-compressed). The device tool carries at most 64 MiB per call with the
# working tree (~14 MB), so the bundle is split into five parts of under 48 MB under .gpu/p1 … .gpu/p5 (ignored):
#   calls 1–4: carry .gpu/pN, command: mkdir -p /root/g && cp .gpu/pN/* /root/g/
#   call 5:    carry .gpu/p5, command: bash .gpu/p5/run.sh   (assembles with Python's lzma/tarfile and runs the timings)
# Calls must follow one another within the machine's 30 s warm period, or the parts copied so far are lost.
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
W=$(mktemp -d)
dotnet publish tools/EventDeblur.Benchmarks -c Release -o "$W/app" >/dev/null
mv "$W/app/libonnxruntime_providers_cuda.so" "$W/"
rm -f "$W"/app/{libOpenCvSharpExtern,libSkiaSharp,libHarfBuzzSharp,libcapstone,libonnxruntime_providers_tensorrt}.so
D=$(dirname "$(readlink -f "$(command -v dotnet)")")
V=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
mkdir -p "$W/dotnet/shared/Microsoft.NETCore.App"
cp -a "$D/dotnet" "$D/host" "$W/dotnet/" && cp -a "$D/shared/Microsoft.NETCore.App/$V" "$W/dotnet/shared/Microsoft.NETCore.App/"
rm -rf .gpu && mkdir -p .gpu/p1 .gpu/p2 .gpu/p3 .gpu/p4 .gpu/p5
xz -6 -T2 -c "$W/libonnxruntime_providers_cuda.so" > "$W/prov.xz"
split -n 4 -d -a 1 "$W/prov.xz" "$W/prov.xz."
for i in 0 1 2 3; do mv "$W/prov.xz.$i" ".gpu/p$((i + 1))/"; done
tar -C "$W" -cf - dotnet app | xz -9 -T2 > .gpu/p5/rest.tar.xz
cp tools/cuda-check/run.sh .gpu/p5/
rm -rf "$W"
du -sh .gpu/*
