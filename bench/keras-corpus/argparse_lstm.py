# Command-line hyper-parameters with argparse defaults, a stacked LSTM over a free time axis.
import argparse
from tensorflow import keras
from tensorflow.keras import layers


def build(args):
    inputs = keras.Input(shape=(None, args.features))
    x = inputs
    for i in range(args.depth):
        x = layers.LSTM(args.units, return_sequences=i < args.depth - 1)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs, name="forecaster")
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss="mse")
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    model = build(args)
