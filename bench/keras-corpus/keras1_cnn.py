# Keras 1 style CNN on CIFAR-10 (theano ordering branch, nb_epoch).
from keras.datasets import cifar10
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Flatten, Dense, Dropout, Activation
from keras import backend as K
from keras.optimizers import SGD

(X_train, y_train), (X_test, y_test) = cifar10.load_data()
if K.image_dim_ordering() == 'th':
    input_shape = (3, 32, 32)
else:
    input_shape = (32, 32, 3)
model = Sequential()
model.add(Convolution2D(32, 3, 3, border_mode='same', input_shape=input_shape))
model.add(Activation('relu'))
model.add(Convolution2D(32, 3, 3))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(output_dim=512, init='glorot_uniform'))
model.add(Activation('relu'))
model.add(Dense(10))
model.add(Activation('softmax'))
sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)
model.fit(X_train, y_train, batch_size=32, nb_epoch=200)
