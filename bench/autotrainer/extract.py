# Pull the Keras model_config JSON (and training_config if present) out of an .h5 without h5py.
import sys, json, re
def extract(path, key):
    data = open(path,'rb').read()
    out=[]
    for m in re.finditer(rb'\{"class_name"', data):
        s = data[m.start():]
        # find balanced JSON
        depth=0; ins=False; esc=False
        for i,ch in enumerate(s):
            c=chr(ch)
            if ins:
                if esc: esc=False
                elif c=='\\': esc=True
                elif c=='"': ins=False
            else:
                if c=='"': ins=True
                elif c=='{': depth+=1
                elif c=='}':
                    depth-=1
                    if depth==0:
                        try: out.append(json.loads(s[:i+1].decode())); 
                        except Exception: pass
                        break
    return out
if __name__=='__main__':
    for o in extract(sys.argv[1], None):
        print(o['class_name'], [ (l['class_name'], l['config'].get('activation'), l['config'].get('units')) for l in o['config']['layers']] if isinstance(o.get('config'),dict) and 'layers' in o['config'] else '')
    d=open(sys.argv[1],'rb').read()
    i=d.find(b'{"optimizer_config"')
    print(d[i:i+400] if i>=0 else 'no training_config')
