# Transcribe a Keras h5's model_config (a chain of layers) into the Keras Python that builds it,
# with compile() from the case's training config. Our script; their model, their settings.
import sys, json
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract import extract
def init(c):
    if c is None: return None
    n, cf = c['class_name'], c['config']
    if n == 'VarianceScaling':
        return "VarianceScaling(scale=%r, mode=%r, distribution=%r)" % (cf['scale'], cf['mode'], cf['distribution'])
    return n + "()"
def layer(l, first):
    n, c = l['class_name'], l['config']
    args = []
    if n == 'Dense':
        args.append(str(c['units']))
        args.append("activation=%r" % c['activation'])
        if c['kernel_initializer']['class_name'] != 'VarianceScaling' or c['kernel_initializer']['config'] != {'scale':1.0,'mode':'fan_avg','distribution':'uniform','seed':None}:
            args.append("kernel_initializer=" + init(c['kernel_initializer']))
    elif n == 'Activation':
        args.append("%r" % c['activation'])
    else:
        raise SystemExit('layer ' + n)
    if first is not None: args.append("input_shape=(%s,)" % first)
    return "%s(%s)" % (n, ', '.join(args))
src, out, opt, loss, header = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
cfg = [o for o in extract(src, None) if o['class_name'] in ('Model', 'Sequential')][0]
layers = cfg['config']['layers']
inp = None
lines = [f"# {header}", f"# Transcribed by our script from {src.split('/eval/autotrainer/')[-1]} (model_config); training settings from the case's config.", "from tensorflow.keras.models import Sequential", "from tensorflow.keras.layers import Dense, Activation", "from tensorflow.keras.initializers import VarianceScaling", "from tensorflow.keras.optimizers import Adam, SGD", "", "model = Sequential()"]
for l in layers:
    if l['class_name'] == 'InputLayer': inp = l['config']['batch_input_shape'][1]; continue
    if inp is None and 'batch_input_shape' in l['config']: inp = l['config']['batch_input_shape'][1]
    lines.append("model.add(%s)" % layer(l, inp))
    inp = None
lines.append(f"model.compile(loss={loss!r}, optimizer={opt}, metrics=['accuracy'])")
open(out, 'w').write('\n'.join(lines) + '\n')
