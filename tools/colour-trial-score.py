#!/usr/bin/python3
"""Scores a replay of a colour DAVIS trial input (tools/EventDeblur.Benchmarks -- colourtrial BUNDLE OUT.aedat) per channel.

usage: /usr/bin/python3 tools/colour-trial-score.py BUNDLE RUN [R G B]

BUNDLE is the DAVIS-alone bundle the trial was made from (its gt/NNNNNN.png: 16-bit grey, DN x 257), RUN the replay's
output folder (frames/NNNNNN.png: 16-bit BGR, full scale 65472 as libcaer's 10-bit codes << 6; FULL=65535 in the
environment for a replay of the trial converted to AEDAT 4.0, whose frames `convert` spreads over 16 bits). The truth of each
channel is the grey truth times its gain (default R 0.55, G 1, B 0.35), a clipped truth pixel taken as twice the clip
level, as the trial's input takes it. Prints PSNR (dB, on the whole frame, linear values clipped to [0, 1]) of R/G/B
per frame and their means. numpy only (a minimal PNG reader: 8/16-bit grey or RGB, not interlaced).
"""
import sys, os, numpy as np, zlib, struct
def readpng(path):
    # minimal PNG reader (8/16-bit grey or RGB, no interlace)
    data=open(path,'rb').read(); assert data[:8]==b'\x89PNG\r\n\x1a\n'
    pos=8; idat=b''
    while pos<len(data):
        n=struct.unpack('>I',data[pos:pos+4])[0]; t=data[pos+4:pos+8]; c=data[pos+8:pos+8+n]; pos+=12+n
        if t==b'IHDR': w,h,bd,ct=struct.unpack('>IIBB',c[:10])
        elif t==b'IDAT': idat+=c
    raw=zlib.decompress(idat); ch={0:1,2:3}[ct]; bpp=ch*bd//8; stride=w*bpp
    out=np.zeros((h,stride),np.uint8); prev=np.zeros(stride,np.int32)
    for y in range(h):
        f=raw[y*(stride+1)]; line=np.frombuffer(raw[y*(stride+1)+1:(y+1)*(stride+1)],np.uint8).astype(np.int32)
        cur=np.zeros(stride,np.int32)
        if f==0: cur=line
        elif f==2: cur=(line+prev)&255
        else:
            for i in range(stride):
                a=cur[i-bpp] if i>=bpp else 0; b=prev[i]; cc=prev[i-bpp] if i>=bpp else 0
                if f==1: p=a
                elif f==3: p=(a+b)//2
                else:
                    pa=abs(b-cc); pb=abs(a-cc); pc=abs(a+b-2*cc); p=a if pa<=pb and pa<=pc else (b if pb<=pc else cc)
                cur[i]=(line[i]+p)&255
        out[y]=cur; prev=cur
    a=out.reshape(h,w*ch*bd//8)
    if bd==16: a=a.reshape(h,w*ch,2); a=(a[...,0].astype(np.int32)<<8)|a[...,1]
    return a.reshape(h,w,ch).astype(np.float64), bd
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
