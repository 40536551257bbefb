# A stateful LSTM with its batch fixed, trained with a TF1 optimizer.
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import LSTM, Dense

batch_size = 16
model = Sequential()
model.add(LSTM(20, batch_input_shape=(batch_size, 10, 2), stateful=True, return_sequences=True))
model.add(LSTM(20, stateful=True))
model.add(Dense(1))
model.compile(loss='mse', optimizer=tf.compat.v1.train.AdamOptimizer(0.001))
