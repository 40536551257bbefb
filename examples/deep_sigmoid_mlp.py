# The Keras twin of deep-sigmoid-mlp.ts: eleven sigmoid layers of 64 units on 20 inputs.
# Gradient Lens reads it without Python or TensorFlow installed and trains its tfjs twin.
from tensorflow import keras
from tensorflow.keras import layers

INPUTS = 20
HIDDEN_LAYERS = 11
UNITS = 64

model = keras.Sequential()
model.add(layers.Dense(UNITS, activation='sigmoid', input_shape=(INPUTS,)))
for i in range(1, HIDDEN_LAYERS):
    model.add(layers.Dense(UNITS, activation='sigmoid'))
model.add(layers.Dense(10, activation='softmax'))

model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.1),
    loss='categorical_crossentropy',
    metrics=['accuracy'],
)
