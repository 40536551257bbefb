import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
from keras.utils import to_categorical
x = np.random.rand(100, 4)
y = to_categorical(np.random.randint(0, 3, 100), 3)
model = keras.Sequential([
    layers.Dense(8, activation='relu', input_shape=(4,)),
    layers.Dense(3),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=50.0), loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
m2 = keras.Sequential()
m2.add(layers.Dense(1, activation='sigmoid', input_dim=3))
m2.compile(optimizer='adam', loss=tf.keras.losses.binary_crossentropy)
model.fit(x, y, epochs=10)
