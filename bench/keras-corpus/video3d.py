# A small 3-D CNN over short clips.
from keras.models import Sequential
from keras.layers import Conv3D, MaxPooling3D, BatchNormalization, Flatten, Dense

model = Sequential()
model.add(Conv3D(8, kernel_size=(3, 3, 3), activation='relu', input_shape=(16, 32, 32, 3)))
model.add(MaxPooling3D(pool_size=(2, 2, 2)))
model.add(BatchNormalization())
model.add(Conv3D(16, kernel_size=(3, 3, 3), activation='relu'))
model.add(MaxPooling3D(pool_size=(2, 2, 2)))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='nadam')
