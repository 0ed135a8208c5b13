#!/bin/bash
# Run on the GPU machine as the last of pack.sh's five calls (see there). Assembles the carried .NET runtime, benchmark build and ONNX Runtime CUDA provider, then times the refiner on CUDA vs CPU.
R=$(pwd); G=/root/g
exec > >(tee $OUT/log.txt) 2>&1
cd $G && ls -la
python3 - <<'PY'
import lzma, tarfile, glob, shutil
parts = sorted(glob.glob('/root/g/prov.xz.*'))
print('provider parts', parts)
with open('/root/g/prov.xz', 'wb') as o:
    for p in parts: o.write(open(p, 'rb').read())
with lzma.open('/root/g/prov.xz') as i, open('/root/g/libonnxruntime_providers_cuda.so', 'wb') as o: shutil.copyfileobj(i, o, 1 << 24)
with tarfile.open('/root/g/rest.tar.xz') as t: t.extractall('/root/g', filter='fully_trusted')
PY
mv $G/libonnxruntime_providers_cuda.so $G/app/ && ls -la $G/app/*.so
LD=/usr/local/nvidia/lib64:/usr/local/nvidia/lib
for n in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9 libcufft.so.12 libnvrtc.so.13 libcuda.so.1; do
  f=$(find / -name "$n" -not -path "/proc/*" -not -path "/sys/*" 2>/dev/null | head -1); echo "$n: $f"; [ -n "$f" ] && LD=$LD:$(dirname $f)
done
export LD_LIBRARY_PATH=$LD:$LD_LIBRARY_PATH DOTNET_ROOT=$G/dotnet DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
ldd $G/app/libonnxruntime_providers_cuda.so | grep -i "not found"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv
nproc; lscpu | grep "Model name"
B="$G/dotnet/dotnet $G/app/EventDeblur.Benchmarks.dll refiner --model $R/models/robust-refiner-v5.onnx"
timeout 200 $B --device cpu --device cuda --threads 2 --reps 7
timeout 200 $B --device cpu --device cuda --threads 16 --reps 7
timeout 150 $B --device cuda --device cpu --tile 768 --tile 2048 --threads 16 --reps 7 --width 1920 --height 1080
timeout 60 $B --device cuda --tile 4096 --reps 9 --width 3840 --height 2160
echo ALLDONE
