#!/bin/bash
# TorchSharp 0.107 on the workloads of Program.cs: `run.sh [threads] [seconds]`, one `name value unit` line each.
# Builds under /tmp (the first run restores TorchSharp-cpu and libtorch from NuGet, a few hundred MB). TorchSharp's
# native glue asks for GLIBCXX_3.4.32, which Debian 12 lacks: the shared peers' patch_glibcxx.py and shim.cpp
# (in $AUTOGRAD_PEERS/torchsharp, default /work/shared/peers/torchsharp) unversion the one symbol it needs and supply
# it; they are copied from there at run time. Prints `# unavailable: REASON` and exits 0 when it cannot run.
set -e
here=$(cd "$(dirname "$0")" && pwd)
shared=${AUTOGRAD_PEERS:-/work/shared/peers}/torchsharp
unavailable() { echo "# unavailable: $*"; exit 0; }
for f in patch_glibcxx.py shim.cpp; do
    [ -f "$shared/$f" ] || unavailable "TorchSharp peer: $shared/$f not found (set AUTOGRAD_PEERS to the shared peers' folder)"
done
command -v g++ >/dev/null || unavailable "TorchSharp peer: g++ not found (needed for the GLIBCXX shim)"
w=/tmp/autograd-peer-torchsharp; mkdir -p $w
cp "$here"/Program.cs "$here"/Peer.csproj "$shared"/patch_glibcxx.py "$shared"/shim.cpp $w/
cd $w
dotnet build -c Release -o out >build.log 2>&1 || unavailable "TorchSharp peer: dotnet build failed (TorchSharp-cpu 0.107.0 not restored?), see $w/build.log"
native=${NUGET_PACKAGES:-$HOME/.nuget/packages}/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so
[ -f "$native" ] || unavailable "TorchSharp peer: $native not found"
cp "$native" ./libLibTorchSharp.so
python3 patch_glibcxx.py >/dev/null
cp libLibTorchSharp.so out/runtimes/linux-x64/native/libLibTorchSharp.so
g++ -shared -fPIC -o libshim.so shim.cpp
rm -rf out/cpu
LD_PRELOAD=$w/libshim.so dotnet out/Peer.dll "$@"
