from keras.models import Sequential, Model
from keras.layers import Dense, Dropout, Activation, ReLU, Softmax, Input
net = Sequential()
net.add(Dense(16, input_dim=6))
net.add(ReLU())
net.add(Dense(3, 'relu'))
net.add(Softmax())
net.add(Dropout(0.5))
inp = Input(shape=(4,))
x = Dense(8, activation='relu')(inp)
out = Dense(1, activation='sigmoid')(x)
out = Dropout(0.2)(out)
m = Model(inputs=inp, outputs=out)
