# A builder function that takes the data; the shape is unpacked from it.
import numpy as np
from keras.models import Model
from keras.layers import Input, Dense, concatenate, BatchNormalization


def make_model(data, hidden=64):
    n_samples, n_features = data.shape
    left = Input(shape=(n_features,))
    right = Input(shape=(n_features,))
    merged = concatenate([Dense(hidden, activation='tanh')(left), Dense(hidden, activation='tanh')(right)])
    merged = BatchNormalization(axis=-1)(merged)
    out = Dense(1, activation='sigmoid')(merged)
    model = Model(inputs=[left, right], outputs=out)
    model.compile(optimizer='adamw', loss='binary_crossentropy')
    return model


train = np.load('train.npy')
model = make_model(train)
