# Transfer learning: a frozen applications backbone and a small head.
from tensorflow.keras.applications import ResNet50
from tensorflow.keras import layers, models

base = ResNet50(weights='imagenet', include_top=False, input_shape=(128, 128, 3))
base.trainable = False
model = models.Sequential([
    base,
    layers.GlobalAveragePooling2D(),
    layers.Dense(64, activation='relu'),
    layers.Dense(5, activation='softmax'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy')
