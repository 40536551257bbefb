# Layers made by helper functions, loops over lists and list comprehensions.
from keras.models import Sequential
from keras.layers import Dense, Dropout, LeakyReLU

DEPTH = 3
WIDTHS = [128, 64, 32]


def dense_block(units, rate=0.25, activation='relu'):
    """One hidden layer and its dropout."""
    return [Dense(units, activation=activation), Dropout(rate)]


def add_head(model, classes, *, activation='softmax'):
    model.add(Dense(classes, activation=activation))


mlp = Sequential()
mlp.add(Dense(256, input_dim=784, activation='relu'))
for units in WIDTHS:
    for layer in dense_block(units, rate=0.5):
        mlp.add(layer)
for i in range(1, DEPTH * 2, 2):
    mlp.add(Dense(16 * i))
    mlp.add(LeakyReLU())
add_head(mlp, 10)
mlp.compile(loss='categorical_crossentropy', optimizer='rmsprop')

stack = Sequential([Dense(64, activation='sigmoid', input_shape=(20,))] + [Dense(64, activation='sigmoid') for _ in range(10)])
stack.add(Dense(1, activation='sigmoid'))
stack.compile('sgd', 'binary_crossentropy')
