#!/usr/bin/python3
"""Scores a replay of a colour DAVIS trial input (tools/EventDeblur.Benchmarks -- colourtrial BUNDLE OUT.aedat) per channel.

usage: /usr/bin/python3 tools/colour-trial-score.py BUNDLE RUN [R G B]

BUNDLE is the DAVIS-alone bundle the trial was made from (its gt/NNNNNN.png: 16-bit grey, DN x 257), RUN the replay's
output folder (frames/NNNNNN.png: 16-bit BGR, full scale 65472 as libcaer's 10-bit codes << 6; FULL=65535 in the
environment for a replay of the trial converted to AEDAT 4.0, whose frames `convert` spreads over 16 bits). The truth of each
channel is the grey truth times its gain (default R 0.55, G 1, B 0.35), a clipped truth pixel taken as twice the clip
level, as the trial's input takes it. Prints PSNR (dB, on the whole frame, linear values clipped to [0, 1]) of R/G/B
per frame and their means. numpy only (the PNG reader of tools/noref-check.py).
"""
import importlib.util, os, sys
import numpy as np

# The PNG reader of tools/noref-check.py (numpy only), not a second copy of it.
_spec = importlib.util.spec_from_file_location("noref_check", os.path.join(os.path.dirname(os.path.abspath(__file__)), "noref-check.py"))
_noref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_noref)

def readpng(path):
    img, depth = _noref.read_png(path)
    return img.astype(np.float64), depth

def psnr(x,y): return 10*np.log10(1/np.mean((np.clip(x,0,1)-np.clip(y,0,1))**2))
bundle, run = sys.argv[1], sys.argv[2]
g=[float(v) for v in sys.argv[3:6]] if len(sys.argv)>=6 else [0.55,1.0,0.35]
gains={2:g[0],1:g[1],0:g[2]}  # BGR index -> gain
res=[]
n=sum(1 for f in os.listdir(f"{bundle}/gt") if f.endswith('.png'))
for k in range(n):
    gt,_=readpng(f"{bundle}/gt/{k:06d}.png"); gt=gt[...,0]/65535; gt[gt>=1]=2.0  # a clipped light: twice the clip, as the trial's input
    o,bd=readpng(f"{run}/frames/{k:06d}.png"); o=o/ (float(os.environ.get("FULL","65472")) if bd==16 else 255)
    res.append([psnr(o[...,c], np.clip(gt*gains[c],0,1)) for c in (2,1,0)])
r=np.array(res); print(run, ' '.join('%.2f/%.2f/%.2f'%tuple(x) for x in r), 'mean R/G/B %.2f/%.2f/%.2f'%tuple(r.mean(0)))
