# The repair of deep_sigmoid_mlp.py: ReLU with He initialization and batch normalization
# after every hidden layer. Same depth and width, healthy gradients.
from tensorflow import keras
from tensorflow.keras.layers import BatchNormalization, Dense

INPUTS = 20
HIDDEN_LAYERS = 11
UNITS = 64

model = keras.Sequential()
model.add(Dense(UNITS, activation='relu', kernel_initializer='he_normal', input_shape=(INPUTS,)))
model.add(BatchNormalization())
for i in range(1, HIDDEN_LAYERS):
    model.add(Dense(UNITS, activation='relu', kernel_initializer='he_normal'))
    model.add(BatchNormalization())
model.add(Dense(10, activation='softmax'))

model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.1),
    loss='categorical_crossentropy',
    metrics=['accuracy'],
)
