namespace EventDeblur.Events;

/// <summary>
/// One inertial sample. Accelerations in g, angular rates in °/s, temperature in °C,
/// magnetic field in µT (0 when the sensor has no magnetometer).
/// </summary>
/// <param name="TimestampUs">Time in µs of the event clock.</param>
/// <param name="TemperatureC">Temperature, °C.</param>
/// <param name="AccelX">Acceleration x, g.</param>
/// <param name="AccelY">Acceleration y, g.</param>
/// <param name="AccelZ">Acceleration z, g.</param>
/// <param name="GyroX">Angular rate x, °/s.</param>
/// <param name="GyroY">Angular rate y, °/s.</param>
/// <param name="GyroZ">Angular rate z, °/s.</param>
/// <param name="MagX">Magnetic field x, µT.</param>
/// <param name="MagY">Magnetic field y, µT.</param>
/// <param name="MagZ">Magnetic field z, µT.</param>
public readonly record struct ImuSample(
    long TimestampUs, float TemperatureC,
    float AccelX, float AccelY, float AccelZ,
    float GyroX, float GyroY, float GyroZ,
    float MagX = 0, float MagY = 0, float MagZ = 0);
