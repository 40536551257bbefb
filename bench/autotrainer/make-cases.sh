#!/bin/bash
# Writes the file lists and the four transcriptions used in bench/README.md "AUTOTRAINER benchmark".
# AUTOTRAINER: extracted from github:shiningrain/AUTOTRAINER into $A (their code is not copied here).
# Usage: A=/work/eval/autotrainer DD=/work/eval/deepdiagnosis OUT=/work/eval/autotrainer-src bench/autotrainer/make-cases.sh
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"; cd "$OUT"; cp "$HERE"/extract.py "$HERE"/transcribe.py .
python3 transcribe.py "$A/AutoTrainer/demo_case/Gradient_Vanish_Case/model.h5" gradient_vanish_case.py "Adam(lr=0.001)" binary_crossentropy "AUTOTRAINER demo case Gradient_Vanish_Case: label vanishing gradient"
python3 transcribe.py "$A/AutoTrainer/demo_case/Oscillating_Loss_Case/model.h5" oscillating_loss_case.py "SGD(lr=0.01, momentum=0.9)" categorical_crossentropy "AUTOTRAINER demo case Oscillating_Loss_Case: label oscillating loss (batch size 1)"
python3 transcribe.py "$A/Motivation/DyingReLU/minist_relu_layer=34.h5" motivation_dying_relu.py "'adam'" categorical_crossentropy "AUTOTRAINER Motivation/DyingReLU: label dying ReLU in 50% of 100 trainings"
python3 transcribe.py "$A/Motivation/OscillatingLoss/minist_relu_layer=20.h5" motivation_oscillating_loss.py "'adam'" categorical_crossentropy "AUTOTRAINER Motivation/OscillatingLoss: label oscillating loss"
echo "model.fit(x_train, y_train, batch_size=128, epochs=300)" >> gradient_vanish_case.py
echo "model.fit(x_train, y_train, batch_size=1, epochs=200)" >> oscillating_loss_case.py
echo "model.fit(x_train, y_train, batch_size=32, epochs=50)" >> motivation_dying_relu.py
echo "model.fit(x_train, y_train, batch_size=32, epochs=50)" >> motivation_oscillating_loss.py
ls "$DD/AUTOTRAINER Model Code/"*.py > list-all.txt
ls "$A"/AutoTrainer/demo_case/*/demo*.py "$A"/Motivation/*/train.py "$A"/AutoTrainer/demo_test.py "$A"/AutoTrainer/reproduce.py >> list-all.txt
ls "$OUT"/{gradient_vanish_case,motivation_dying_relu,motivation_oscillating_loss,oscillating_loss_case}.py >> list-all.txt
