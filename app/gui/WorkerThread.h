#pragma once
// One worker object on a QThread of its own, as the training run (TrainingController) and a sweep
// (SweepRunner) use it: the worker's blocking `run` slot starts with the thread, its `finished`
// signal quits the thread directly (thread-safe, not through the GUI thread's event loop), and
// the thread is joined and both are deleted when QThread::finished reaches the owner's thread.
// During destruction (no event loop will run again) shutdown() waits, bounded.
#include <QObject>
#include <QThread>
#include <functional>

namespace nc::app {

class WorkerThread {
 public:
  WorkerThread() = default;
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  ~WorkerThread() { release(); }

  /// Moves `worker` (already connected to its relays, owned from now on) to a new thread named
  /// `name` and starts it. `onEnded` runs on `owner`'s thread once the thread has finished; it
  /// should call release(). False (nothing started, `worker` deleted) when one is active.
  template <class Worker, class FinishedSignal>
  bool start(Worker* worker, const char* name, void (Worker::*run)(), FinishedSignal finished, QObject* owner,
             std::function<void()> onEnded) {
    if (m_thread) {
      delete worker;
      return false;
    }
    m_thread = new QThread();
    m_thread->setObjectName(name);
    m_worker = worker;
    worker->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::started, worker, run);
    // The worker's queued signals reach `owner` before the thread's finished signal does.
    QObject::connect(worker, finished, m_thread, &QThread::quit, Qt::DirectConnection);
    QObject::connect(m_thread, &QThread::finished, owner, std::move(onEnded));
    m_thread->start();
    return true;
  }

  bool isActive() const { return m_thread != nullptr; }
  QThread* thread() const { return m_thread; }

  /// Joins the thread (QThread::finished may arrive before it has fully returned) and deletes
  /// the worker, which lived there, and the thread. Nothing when none is active.
  void release() {
    if (!m_thread) return;
    m_thread->wait();
    delete m_worker;
    m_worker = nullptr;
    delete m_thread;
    m_thread = nullptr;
  }

  /// Destruction only: disconnects the worker and thread from `owner`, quits the thread and waits
  /// up to `waitMs` for the worker's run to return (the caller has asked it to stop). True when
  /// it ended (released) or none was active; false when it is still running.
  bool shutdown(QObject* owner, int waitMs) {
    if (!m_thread) return true;
    QObject::disconnect(m_worker, nullptr, owner, nullptr);
    QObject::disconnect(m_thread, nullptr, owner, nullptr);
    m_thread->quit();
    if (!m_thread->wait(QDeadlineTimer(waitMs))) return false;
    release();
    return true;
  }

 private:
  QThread* m_thread = nullptr;
  QObject* m_worker = nullptr;
};

}  // namespace nc::app
