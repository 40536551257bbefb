# Random data stated in the script; the first layer has no input shape (Keras takes it at fit).
import numpy as np
from tensorflow import keras

X = np.random.rand(500, 12)
y = (X.sum(axis=1) > 6).astype(int)
model = keras.Sequential([
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Nadam(learning_rate=0.002), loss="binary_crossentropy")
model.fit(X, y, epochs=5)
